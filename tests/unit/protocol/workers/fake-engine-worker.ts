/**
 * Test worker: serves the FAKE engine over parentPort, plus three ways to
 * die, chosen by the first message's content: `crash` (uncaught error),
 * `exit` (the thread exits), `hang` (the event loop blocks forever).
 */
import { parentPort } from 'node:worker_threads';
import type { ModelEngine } from '../../../../src/protocol/engine';
import { serveEngine } from '../../../../src/protocol/serve-engine';
import { createCommandEngine } from '../../../kit/engine-scripts';
import { parentPortLike } from '../ports';

if (!parentPort) throw new Error('fake-engine-worker must run in a worker thread');

function createDyingEngine(): ModelEngine {
  const engine = createCommandEngine();
  return {
    ...engine,
    generate(params, options) {
      const command = params.messages[0]?.content;
      if (command === 'crash') {
        setTimeout(() => {
          throw new Error('fake worker crashed');
        }, 5);
        return new Promise(() => {});
      }
      if (command === 'exit') {
        setTimeout(() => process.exit(3), 5);
        return new Promise(() => {});
      }
      if (command === 'hang') {
        setTimeout(() => {
          for (;;) {
            // blocks the worker's event loop, like a long synchronous model step
          }
        }, 5);
        return new Promise(() => {});
      }
      return engine.generate(params, options);
    },
  };
}

serveEngine(parentPortLike(parentPort), () => createDyingEngine());
