// Starts a TypeScript worker under node:worker_threads: registers tsx in this
// thread, then imports the entry. (`execArgv: ['--import', 'tsx']` does not
// reach a worker's first module on Node 20.)
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
