export const DEMO_SET = [];
