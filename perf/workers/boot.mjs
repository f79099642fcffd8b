// Starts a TypeScript worker entry under node:worker_threads: tsx must be
// registered inside the thread (execArgv does not reach a worker's first module on Node 20).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
