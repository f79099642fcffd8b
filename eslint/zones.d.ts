/** Types of eslint/zones.js for the architecture test. */
export declare const FOLDERS: Record<string, [purpose: string, forbidden: string[], exceptions?: Record<string, string[]>]>;
export declare function zones(): Array<{ target: string; from: string; except?: string[]; message: string }>;
