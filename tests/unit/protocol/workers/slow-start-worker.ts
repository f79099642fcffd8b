/**
 * Test worker that blocks its event loop for `SLOW_START_MS` before it starts
 * serving (a cold script cache, a slow laptop, tsx compiling), then serves
 * the FAKE engine. Starting slowly is not hanging.
 */
import { parentPort } from 'node:worker_threads';
import { serveEngine } from '../../../../src/protocol/serve-engine';
import { createCommandEngine } from '../../../kit/engine-scripts';
import { parentPortLike } from '../ports';

export const SLOW_START_MS = 1_500;

if (!parentPort) throw new Error('slow-start-worker must run in a worker thread');
const until = Date.now() + SLOW_START_MS;
while (Date.now() < until) {
  // a synchronous start-up step: no pings can be answered meanwhile
}
serveEngine(parentPortLike(parentPort), () => createCommandEngine());
