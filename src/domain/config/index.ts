// Everything about the deployment configuration. The shell imports the
// zod-free files directly (./types, ./csp) to keep zod off the first paint.
export * from './types';
export * from './schema';
export * from './validate';
export * from './load-app-config';
export * from './csp';
export * from './download-policy';
export * from './cache-names';
