/**
 * The page's handle on the bench worker (one per page). The run request
 * lasts as long as the run, so its silence limit is long; progress messages
 * and pongs keep it alive meanwhile.
 */
import { createWorkerClient, type WorkerClient } from '../../client/worker-client';
import { benchProtocol, type BenchMethods } from '../../domain/bench/bench-protocol';

let client: WorkerClient<BenchMethods> | null = null;

export function createBenchWorker(): Worker {
  return new Worker(new URL('../../../workers/bench-worker.ts', import.meta.url), { type: 'module', name: 'medfact-bench' });
}

export function benchClient(): WorkerClient<BenchMethods> {
  client ??= createWorkerClient<BenchMethods>({
    protocol: benchProtocol,
    createWorker: createBenchWorker,
    name: 'benchmark worker',
    // A model load or one long CPU prefill can block the worker's event loop for minutes.
    hangTimeoutMs: { default: 60_000, start: 300_000, resume: 300_000, importDataset: 300_000 },
  });
  return client;
}

/** Tests and page teardown. */
export function disposeBenchClient(): void {
  client?.dispose();
  client = null;
}
