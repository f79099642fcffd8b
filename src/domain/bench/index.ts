/** The benchmark runner: plain TypeScript over any ModelEngine and any results sink. */
export * from '../../core/run-record';
export * from './run-item';
export * from './run-loop';
export * from './execute-run';
export * from './create-run';
export * from './select-items';
export * from './provenance';
export * from './run-results';
export * from './throttle';
