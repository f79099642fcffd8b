/**
 * The CLI's response cache with batched scoring: hits come from disk, only
 * the misses go to the inner engine, in one batch, and every result equals
 * what `score` gives one by one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCachedEngine, type CacheStats } from '../../../src/cli/run/response-cache';
import type { ModelEngine, ScoreParams } from '../../../src/protocol/engine';
import { createScriptedEngine } from '../../kit/scripted-engine';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const scope = { engine: 'openai', endpoint: 'http://127.0.0.1:1/v1', model: 'judge', promptHash: 'p1' };
const judge = (content: string): ScoreParams => ({ kind: 'judge', messages: [{ role: 'user', content }], yes: '是', no: '否' });

describe('response cache: scoreBatch', () => {
  it('answers hits from disk and sends only the misses, in one batch', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medfact-cache-'));
    dirs.push(dir);
    const scripted = createScriptedEngine([], { score: (p) => (p.kind === 'judge' ? (p.messages[0]?.content.length ?? 0) / 10 : 0) });
    const batches: ScoreParams[][] = [];
    const inner: ModelEngine = { ...scripted, scoreBatch: (items) => (batches.push(items), Promise.all(items.map((p) => scripted.score(p)))) };
    const stats: CacheStats = { hits: 0, misses: 0, writes: 0 };
    const cached = createCachedEngine(inner, dir, scope, stats);

    const first = await cached.score(judge('一'));
    const progress: number[] = [];
    const items = [judge('一'), judge('一二'), judge('一二三')];
    const results = await cached.scoreBatch?.(items, { onProgress: (p) => progress.push(p.done / p.total) });
    expect(results?.map((r) => r.score)).toEqual([first.score, 0.2, 0.3]);
    expect(batches).toEqual([[judge('一二'), judge('一二三')]]);
    expect(stats).toEqual({ hits: 1, misses: 3, writes: 3 });
    // The hit counts as done at once (this inner engine reports no progress of its own).
    expect(progress).toEqual([1 / 3]);

    // Everything is on disk now: no call reaches the engine.
    const again = await cached.scoreBatch?.(items);
    expect(again).toEqual(results);
    expect(batches).toHaveLength(1);
    expect(stats.hits).toBe(4);
  });
});
