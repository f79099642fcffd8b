/**
 * The REAL engine worker for Node tests: serveEngine over parentPort with the
 * app's shared engine factory; transformers.js runs on the CPU with its file
 * cache in MEDFACT_TEST_CACHE_DIR (set by the test before the thread starts).
 */
import { parentPort } from 'node:worker_threads';
import { serveEngine } from '../../../../src/protocol/serve-engine';
import { createEngine } from '../../../../workers/engine-shared/create-engine';
import { createTransformersEngine } from '../../../../workers/transformers-engine';
import { parentPortLike } from '../ports';

if (!parentPort) throw new Error('real-engine-worker must run in a worker thread');
const cacheDir = process.env.MEDFACT_TEST_CACHE_DIR;

serveEngine(parentPortLike(parentPort), (kind) =>
  kind === 'transformers' ? createTransformersEngine(cacheDir ? { cacheDir } : {}) : createEngine(kind),
);
