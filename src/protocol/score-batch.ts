/**
 * Batched scoring (issue 15): a check stage's findings are scored in one
 * call, so an engine behind a worker costs one round trip per stage instead
 * of one or two per finding. `scoreBatch` is optional on ModelEngine; these
 * helpers give every engine the same behaviour either way: results in input
 * order, each identical to what `score` returns for that item alone.
 */
import type { CallOptions, ModelEngine, ScoreParams, ScoreResult } from './engine';
import { MedfactError, throwIfAborted } from './errors';

export interface BatchProgress {
  done: number;
  total: number;
}

export interface BatchOptions extends CallOptions {
  onProgress?: (progress: BatchProgress) => void;
}

/**
 * Scores each item with `score`, at most `concurrency` at a time (1: one
 * after another), in input order. The first failure stops the rest.
 */
export async function scoreEach(
  score: (params: ScoreParams, options?: CallOptions) => Promise<ScoreResult>,
  items: readonly ScoreParams[],
  options: BatchOptions = {},
  concurrency = 1,
): Promise<ScoreResult[]> {
  const { signal, onProgress } = options;
  const results: ScoreResult[] = new Array<ScoreResult>(items.length);
  let next = 0;
  let done = 0;
  let failed = false;
  async function lane(): Promise<void> {
    while (!failed && next < items.length) {
      const index = next++;
      const item = items[index] as ScoreParams;
      throwIfAborted(signal);
      try {
        results[index] = await score(item, signal ? { signal } : {});
      } catch (error) {
        failed = true;
        throw error;
      }
      done += 1;
      onProgress?.({ done, total: items.length });
    }
  }
  const lanes = Math.max(1, Math.min(Math.floor(concurrency), items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}

/** Scores many items: the engine's own scoreBatch when it has one, else its score one by one. */
export async function scoreBatch(engine: ModelEngine, items: readonly ScoreParams[], options: BatchOptions = {}): Promise<ScoreResult[]> {
  if (items.length === 0) return [];
  if (!engine.scoreBatch) return scoreEach((params, o) => engine.score(params, o), items, options);
  const results = await engine.scoreBatch([...items], options);
  if (results.length !== items.length) {
    throw new MedfactError('INTERNAL', `The engine returned ${results.length} scores for ${items.length} items.`);
  }
  return results;
}
