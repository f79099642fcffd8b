/**
 * The app's engine worker: a module worker that Vite bundles from
 * workers/engine-worker.ts. Tests pass their own factory instead.
 */
import type { WorkerLike } from '../protocol/messages';

export function createEngineWorker(): WorkerLike {
  return new Worker(new URL('../../workers/engine-worker.ts', import.meta.url), {
    type: 'module',
    name: 'medfact-engine',
  });
}
