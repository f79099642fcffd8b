import { describe, expect, it } from 'vitest';
import { meanEngineStats, throughputOf, tokensPerSecond } from '../../../../../src/features/models/self-test/throughput';

describe('tokensPerSecond', () => {
  it('divides tokens by seconds', () => {
    expect(tokensPerSecond(50, 2000)).toBe(25);
    expect(tokensPerSecond(1, 4)).toBe(250);
  });

  it('is null when there is nothing to measure', () => {
    expect(tokensPerSecond(0, 100)).toBeNull();
    expect(tokensPerSecond(10, 0)).toBeNull();
    expect(tokensPerSecond(10, Number.NaN)).toBeNull();
    expect(tokensPerSecond(-1, 10)).toBeNull();
  });
});

describe('throughputOf', () => {
  it('prefill: prompt tokens over time to first token; decode: tokens after the first over the decode time', () => {
    const t = throughputOf([{ promptTokens: 300, completionTokens: 65, prefillMs: 600, decodeMs: 3200 }]);
    expect(t.prefillTokensPerSec).toBe(500);
    expect(t.decodeTokensPerSec).toBe(20);
  });

  it('pools several runs (total tokens over total time), not a mean of rates', () => {
    const t = throughputOf([
      { promptTokens: 100, completionTokens: 11, prefillMs: 100, decodeMs: 1000 },
      { promptTokens: 300, completionTokens: 31, prefillMs: 900, decodeMs: 1000 },
    ]);
    // mean of rates would be (1000 + 333.3) / 2 for prefill and (10 + 30) / 2 for decode
    expect(t.prefillTokensPerSec).toBe(400);
    expect(t.decodeTokensPerSec).toBe(20);
    expect(t).toMatchObject({ promptTokens: 400, completionTokens: 42, prefillMs: 1000, decodeMs: 2000 });
  });

  it('has no decode speed for one-token answers', () => {
    const t = throughputOf([{ promptTokens: 10, completionTokens: 1, prefillMs: 50, decodeMs: 0 }]);
    expect(t.decodeTokensPerSec).toBeNull();
    expect(t.prefillTokensPerSec).toBe(200);
  });
});

describe('meanEngineStats', () => {
  it('averages what the engine reported, per figure', () => {
    expect(
      meanEngineStats([
        { engineStats: { prefillTokensPerSec: 400, decodeTokensPerSec: 30 } },
        { engineStats: { prefillTokensPerSec: 600 } },
      ]),
    ).toEqual({ prefillTokensPerSec: 500, decodeTokensPerSec: 30 });
  });

  it('is null for engines that report nothing', () => {
    expect(meanEngineStats([{}, {}])).toBeNull();
  });
});
