/**
 * The app's engine worker for Node (bench only): the same serveEngine and
 * createTransformersEngine the browser worker runs, over parentPort.
 * workerData.cacheDir is the library's file cache (a temporary folder).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serveEngine } from '../../src/protocol/serve-engine';
import { createTransformersEngine } from '../../workers/transformers-engine';
import { nodePortLike } from '../node-worker';
import { pinOrtToOneThread } from '../ort-threads';

if (!parentPort) throw new Error('engine-node-worker must run in a worker thread');
const { cacheDir, oneThread } = workerData as { cacheDir: string; oneThread?: boolean };
if (oneThread) pinOrtToOneThread();
serveEngine(nodePortLike(parentPort), () => createTransformersEngine({ cacheDir }));
