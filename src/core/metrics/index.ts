export * from './stats-utils';
export * from './span-match';
export * from './compute-metrics';
export * from './threshold-sweep';
export * from './compare-runs';
export * from './report-writers';
export * from './coverage';
