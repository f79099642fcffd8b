/**
 * The prefix cache's bookkeeping (workers/engine-shared/prefix-cache.ts)
 * with real transformers.js tensors and a forward pass that writes each
 * position's token id into the cache, so every reused tensor can be checked
 * against the exact tokens it must hold. The engine-level test
 * (tests/integration/prefix-reuse.test.ts) runs it through the real model.
 */
import { Tensor } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { commonPrefixLength, createPrefixCache, type PrefixForward } from '../../../workers/engine-shared/prefix-cache';

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

/** A FAKE forward pass: present.0.key/value hold the token ids of every position (past + new), dims [1, 2 heads, seq, 1]. */
function fakeForward(calls: { ids: number[]; total: number; past: number }[], name = 'present.0'): PrefixForward {
  return async (ids, total, past) => {
    const before = past ? Array.from((past['past_key_values.0.key'] as Tensor).data as Float32Array).slice(0, total - ids.length) : [];
    calls.push({ ids: [...ids], total, past: before.length });
    const seq = [...before, ...ids];
    const data = new Float32Array([...seq, ...seq.map((x) => -x)]); // head 1 holds the negatives: a cut must keep heads apart
    return { logits: new Tensor('float32', new Float32Array(3), [1, 1, 3]), [`${name}.key`]: new Tensor('float32', data, [1, 2, seq.length, 1]), [`${name}.value`]: new Tensor('float32', data.slice(), [1, 2, seq.length, 1]) };
  };
}

function heads(t: Tensor | undefined): [number[], number[]] {
  const data = Array.from((t?.data as Float32Array | undefined) ?? []);
  const half = data.length / 2;
  return [data.slice(0, half), data.slice(half)];
}

describe('prefix cache', () => {
  const shared = range(1000, 30);
  const prompt = (tail: number[]): number[] => [...shared, ...tail];

  it('finds a shared prefix between two prompts, computes it once, and reuses it exactly', async () => {
    const cache = createPrefixCache(Tensor);
    const calls: { ids: number[]; total: number; past: number }[] = [];
    const forward = fakeForward(calls);
    const first = await cache.plan(prompt(range(1, 10)), forward);
    expect(first).toMatchObject({ past: undefined, cachedLength: 0, prefillTokens: 40 });
    const second = await cache.plan(prompt(range(50, 12)), forward);
    expect(calls).toEqual([{ ids: shared, total: 30, past: 0 }]);
    expect(second.cachedLength).toBe(30);
    expect(second.prefillTokens).toBe(42); // the prefix pass ran in this call
    const third = await cache.plan(prompt(range(80, 5)), forward);
    expect(calls).toHaveLength(1);
    expect(third.cachedLength).toBe(30);
    expect(third.prefillTokens).toBe(5);
    const [h0, h1] = heads(third.past?.['past_key_values.0.key']);
    expect(h0).toEqual(shared);
    expect(h1).toEqual(shared.map((x) => -x));
  });

  it('reuses all but the last token of a repeated prompt, extending from the entry it has', async () => {
    const cache = createPrefixCache(Tensor);
    const calls: { ids: number[]; total: number; past: number }[] = [];
    const forward = fakeForward(calls);
    const a = prompt(range(1, 20));
    await cache.plan(a, forward);
    await cache.plan(prompt(range(50, 20)), forward); // entry: shared (30)
    const short = await cache.plan(prompt(range(90, 10)), forward); // agrees with nothing beyond the entry
    expect(short).toMatchObject({ cachedLength: 30, prefillTokens: 10 });
    const again = await cache.plan(a, forward); // agrees with the first prompt on 49 tokens: extend 30 → 49 once
    expect(calls.at(-1)).toEqual({ ids: range(1, 19), total: 49, past: 30 });
    expect(again).toMatchObject({ cachedLength: 49, prefillTokens: 20 });
    const third = await cache.plan(a, forward);
    expect(third).toMatchObject({ cachedLength: 49, prefillTokens: 1 });
    expect(heads(third.past?.['past_key_values.0.value'])[0]).toEqual(a.slice(0, 49));
  });

  it('cuts an entry to the part a new prompt shares, keeping the cut as its own entry', async () => {
    const cache = createPrefixCache(Tensor);
    const forward = fakeForward([]);
    await cache.plan(prompt([7, 7, 7, 7, 1]), forward);
    await cache.plan(prompt([7, 7, 7, 7, 2]), forward); // entry: shared + 7777 (34)
    const cut = await cache.plan(prompt([8, 8]), forward);
    expect(cut).toMatchObject({ cachedLength: 30, prefillTokens: 2 });
    expect(heads(cut.past?.['past_key_values.0.key'])[0]).toEqual(shared);
    expect(cache.stats().entries).toEqual([30, 34]);
  });

  it('ignores prefixes shorter than minTokens, and respects the entry and byte limits', async () => {
    const cache = createPrefixCache(Tensor, { minTokens: 16, maxEntries: 2 });
    const forward = fakeForward([]);
    await cache.plan([...range(1, 10), 100], forward);
    expect((await cache.plan([...range(1, 10), 200], forward)).cachedLength).toBe(0);
    for (let k = 0; k < 3; k++) {
      await cache.plan([...range(k * 1000, 20), 1], forward);
      await cache.plan([...range(k * 1000, 20), 2], forward);
    }
    expect(cache.stats().entries).toEqual([20, 20]);
    const small = createPrefixCache(Tensor, { maxBytes: 20 * 2 * 4 * 2 }); // one 20-token entry (key + value, 2 heads, float32)
    await small.plan([...range(0, 20), 1], forward);
    await small.plan([...range(0, 20), 2], forward);
    await small.plan([...range(500, 20), 1], forward);
    await small.plan([...range(500, 20), 2], forward);
    expect(small.stats()).toEqual({ entries: [20], bytes: 320 });
  });

  it('turns itself off for a model with non-attention cache state, until cleared', async () => {
    const cache = createPrefixCache(Tensor);
    const forward = fakeForward([], 'present_conv.0');
    await cache.plan(prompt([1]), forward);
    expect((await cache.plan(prompt([2]), forward)).past).toBeUndefined();
    expect((await cache.plan(prompt([3]), fakeForward([]))).past).toBeUndefined();
    cache.clear();
    await cache.plan(prompt([4]), fakeForward([]));
    expect((await cache.plan(prompt([5]), fakeForward([]))).cachedLength).toBe(30);
  });

  it('measures common prefixes', () => {
    expect(commonPrefixLength([1, 2, 3], [1, 2, 4])).toBe(2);
    expect(commonPrefixLength([], [1])).toBe(0);
    expect(commonPrefixLength([5, 6], [5, 6])).toBe(2);
  });
});
