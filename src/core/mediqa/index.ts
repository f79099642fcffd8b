export * from './sentences';
export * from './submission';
export * from './measures';
export * from './reference';
