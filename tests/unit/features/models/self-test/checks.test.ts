import { describe, expect, it } from 'vitest';
import { runInterruptCheck, STOP_FLOOR_MS } from '../../../../../src/features/models/self-test/interrupt';
import { SELFTEST_PROMPTS } from '../../../../../src/features/models/self-test/prompts';
import { compareScores, SCORE_TOLERANCE } from '../../../../../src/features/models/self-test/score-agreement';
import { createStreamRecorder, summarizeStreaming } from '../../../../../src/features/models/self-test/streaming';
import type { GenerateParams, ModelEngine } from '../../../../../src/protocol/engine';
import { AbortError, MedfactError } from '../../../../../src/protocol/errors';
import { createScriptedEngine } from '../../../../kit/scripted-engine';

/** A clock the test moves by hand. */
function manualClock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const PROMPT = SELFTEST_PROMPTS[0]!;
const LONG = '甲乙丙丁戊己庚辛壬癸'.repeat(30);

describe('createStreamRecorder', () => {
  it('counts the chunks before the result, times the first one and checks they add up to the result', () => {
    const clock = manualClock(100);
    const rec = createStreamRecorder(clock.now);
    clock.advance(40);
    rec.onChunk({ text: '每次', tokens: 1 });
    clock.advance(10);
    rec.onChunk({ text: '5克', tokens: 2 });
    const stats = rec.finish('每次5克');
    expect(stats).toEqual({ chunks: 2, firstChunkMs: 40, firstChunkBeforeResult: true, concatMatches: true });
    // A chunk after the result is not counted.
    rec.onChunk({ text: '!', tokens: 3 });
    expect(rec.finish('每次5克').chunks).toBe(2);
  });

  it('notices a lost or altered piece and a result with no chunks at all', () => {
    const rec = createStreamRecorder(manualClock().now);
    rec.onChunk({ text: '每次', tokens: 1 });
    expect(rec.finish('每次5克').concatMatches).toBe(false);
    const none = createStreamRecorder(manualClock().now).finish('每次5克');
    expect(none).toEqual({ chunks: 0, firstChunkMs: null, firstChunkBeforeResult: false, concatMatches: false });
  });
});

describe('summarizeStreaming', () => {
  const ok = { stats: { chunks: 3, firstChunkMs: 20, firstChunkBeforeResult: true, concatMatches: true }, text: 'abc' };
  it('passes when every generation streamed before its result and added up', () => {
    const one = { stats: { chunks: 1, firstChunkMs: 40, firstChunkBeforeResult: true, concatMatches: true }, text: 'x' };
    expect(summarizeStreaming([ok, one])).toEqual({
      generations: 2,
      totalChunks: 4,
      minChunks: 1,
      meanFirstChunkMs: 30,
      allConcatMatch: true,
      allFirstBeforeResult: true,
      passed: true,
    });
  });
  it('fails when pieces do not add up or nothing streamed, but an empty result needs no chunk', () => {
    const bad = { stats: { ...ok.stats, concatMatches: false }, text: 'abc' };
    expect(summarizeStreaming([ok, bad])?.passed).toBe(false);
    const silent = { stats: { chunks: 0, firstChunkMs: null, firstChunkBeforeResult: false, concatMatches: false }, text: 'abc' };
    expect(summarizeStreaming([silent])?.passed).toBe(false);
    const empty = { stats: { chunks: 0, firstChunkMs: null, firstChunkBeforeResult: false, concatMatches: true }, text: '' };
    expect(summarizeStreaming([empty])).toMatchObject({ passed: true, meanFirstChunkMs: null });
    expect(summarizeStreaming([])).toBeNull();
  });
});

describe('compareScores', () => {
  const a = [
    { caseId: 'x', score: 0.5 },
    { caseId: 'y', score: 0.9 },
  ];
  it('passes when every case agrees within the tolerance', () => {
    const r = compareScores(a, [
      { caseId: 'y', score: 0.905 },
      { caseId: 'x', score: 0.5 },
    ]);
    expect(r?.tolerance).toBe(SCORE_TOLERANCE);
    expect(r?.passed).toBe(true);
    expect(r?.maxDiff).toBeCloseTo(0.005, 12);
    expect(r?.perCase.map((c) => [c.caseId, c.passed])).toEqual([
      ['x', true],
      ['y', true],
    ]);
  });
  it('fails beyond the tolerance, on a case one side lacks, and on NaN', () => {
    expect(compareScores(a, [{ caseId: 'x', score: 0.5 }, { caseId: 'y', score: 0.85 }])?.passed).toBe(false);
    expect(compareScores(a, [{ caseId: 'x', score: 0.5 }])?.passed).toBe(false);
    const nan = compareScores(a, [{ caseId: 'x', score: Number.NaN }, { caseId: 'y', score: 0.9 }]);
    expect(nan?.passed).toBe(false);
    expect(Number.isNaN(nan?.maxDiff)).toBe(true);
  });
  it('is null when a side has no scores', () => {
    expect(compareScores(a, null)).toBeNull();
    expect(compareScores([], a)).toBeNull();
  });
});

type Generate = ModelEngine['generate'];

/** Wraps an engine's generate with fixed engine timings and a hook around each call. */
function withTimings(engine: ModelEngine, timings: { prefillMs: number; decodeMs: number }, hook?: (call: number, params: GenerateParams) => void): ModelEngine {
  let calls = 0;
  const generate: Generate = async (params, options) => {
    hook?.(calls++, params);
    const r = await engine.generate(params, options);
    return { ...r, ...timings };
  };
  return { ...engine, generate };
}

describe('runInterruptCheck', () => {
  it('cancels at the first chunk: AbortError, nothing after, and the next call works', async () => {
    const clock = manualClock();
    const scripted = createScriptedEngine([LONG], { charsPerToken: 1, chunkDelayMs: 1 });
    const check = await runInterruptCheck(withTimings(scripted, { prefillMs: 5, decodeMs: 15 }), { prompt: PROMPT, msPerToken: 10, now: clock.now });
    expect(check).toMatchObject({
      cancelled: 'abort-error',
      chunksBeforeAbort: 1,
      chunksAfterAbort: 0,
      stopMs: 0,
      stopBoundMs: STOP_FLOOR_MS,
      stoppedPromptly: true,
      followUp: { ok: true, text: LONG.slice(0, 16), completionTokens: 16 },
      passed: true,
    });
    expect(scripted.generateCalls.map((c) => [c.maxTokens, c.temperature])).toEqual([
      [256, 0],
      [16, 0],
    ]);
  });

  it('measures how long the engine kept working after the cancel, against a bound in token times', async () => {
    const clock = manualClock();
    const scripted = createScriptedEngine([LONG], { charsPerToken: 1, chunkDelayMs: 1 });
    // The engine is busy 3 s after the cancel before the follow-up (100 ms of engine time) can run.
    const slow = withTimings(scripted, { prefillMs: 40, decodeMs: 60 }, (call) => {
      if (call % 2 === 1) clock.advance(3000 + 100);
    });
    const fast = await runInterruptCheck(slow, { prompt: PROMPT, msPerToken: 10, now: clock.now });
    expect(fast.stopMs).toBe(3000);
    expect(fast.stoppedPromptly).toBe(false);
    expect(fast.passed).toBe(false);
    // On a device that takes 1 s a token, 3 s is within five token times.
    const slowDevice = await runInterruptCheck(slow, { prompt: PROMPT, msPerToken: 1000, now: clock.now });
    expect(slowDevice.stopMs).toBe(3000);
    expect(slowDevice.stopBoundMs).toBe(5000);
    expect(slowDevice.stoppedPromptly).toBe(true);
  });

  it('fails when the engine ignores the cancel and runs to the end', async () => {
    const scripted = createScriptedEngine(['短答案'], { charsPerToken: 1 });
    const deaf: ModelEngine = {
      ...scripted,
      generate: (params, options) => scripted.generate(params, options?.onChunk ? { onChunk: options.onChunk } : {}),
    };
    const check = await runInterruptCheck(deaf, { prompt: PROMPT, msPerToken: null, now: manualClock().now });
    expect(check.cancelled).toBe('completed');
    expect(check.chunksAfterAbort).toBe(2);
    expect(check.passed).toBe(false);
  });

  it('fails when nothing streams, when the cancel gives another error, and when the next call fails', async () => {
    const silent = createScriptedEngine([''], { charsPerToken: 1 });
    expect((await runInterruptCheck(silent, { prompt: PROMPT, msPerToken: null, now: manualClock().now })).cancelled).toBe('no-chunk');

    const scripted = createScriptedEngine([LONG], { charsPerToken: 1, chunkDelayMs: 1 });
    let call = 0;
    const broken: ModelEngine = {
      ...scripted,
      generate: async (params, options) => {
        const i = call++;
        if (i === 1) throw new MedfactError('DEVICE_LOST', 'GPU device was lost');
        try {
          return await scripted.generate(params, options);
        } catch {
          throw new MedfactError('INTERNAL', 'kernel failed');
        }
      },
    };
    const check = await runInterruptCheck(broken, { prompt: PROMPT, msPerToken: null, now: manualClock().now });
    expect(check.cancelled).toBe('other-error');
    expect(check.cancelError?.code).toBe('INTERNAL');
    expect(check.followUp).toMatchObject({ ok: false, error: { code: 'DEVICE_LOST' } });
    expect(check.passed).toBe(false);
  });

  it('rejects with AbortError when the whole self-test is cancelled', async () => {
    const controller = new AbortController();
    const scripted = createScriptedEngine([LONG], { charsPerToken: 1, chunkDelayMs: 1 });
    const engine: ModelEngine = {
      ...scripted,
      generate: (params, options) => {
        controller.abort();
        return scripted.generate(params, options);
      },
    };
    await expect(runInterruptCheck(engine, { prompt: PROMPT, msPerToken: null, now: manualClock().now, signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  });
});
