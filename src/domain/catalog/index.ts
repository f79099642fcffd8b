export * from './schema';
export * from './catalog';
export * from './recommend';
export * from './model-spec';
export * from './custom-entry';
