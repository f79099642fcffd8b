import { describe, expect, it, vi } from 'vitest';
import { createScriptedEngine } from './scripted-engine';

const params = { messages: [{ role: 'user' as const, content: '12345678' }], maxTokens: 100, temperature: 0 };

describe('scripted engine (test fake)', () => {
  it('streams the scripted answers in order and counts tokens', async () => {
    const engine = createScriptedEngine(['abcdefghij', 'xyz'], { charsPerToken: 4 });
    const chunks: string[] = [];
    const r = await engine.generate(params, { onChunk: (c) => chunks.push(c.text) });
    expect(chunks).toEqual(['abcd', 'efgh', 'ij']);
    expect(r).toMatchObject({ text: 'abcdefghij', finishReason: 'stop', completionTokens: 3, promptTokens: 2 });
    expect((await engine.generate(params)).text).toBe('xyz');
    expect((await engine.generate(params)).text).toBe('xyz'); // the last answer repeats
  });

  it('truncates at maxTokens with finishReason length', async () => {
    const r = await createScriptedEngine(['abcdefghij'], { charsPerToken: 2 }).generate({ ...params, maxTokens: 2 });
    expect(r).toMatchObject({ text: 'abcd', finishReason: 'length', completionTokens: 2 });
  });

  it('honours AbortSignal mid-stream', async () => {
    const ac = new AbortController();
    const engine = createScriptedEngine(['abcdefghijklmnop'], { charsPerToken: 1, chunkDelayMs: 1 });
    const p = engine.generate(params, { signal: ac.signal, onChunk: (c) => c.tokens === 2 && ac.abort() });
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('requires a load when asked to, and logs loads and unloads', async () => {
    const engine = createScriptedEngine(['ok'], { requireLoad: true, loaded: { library: 'fake 0.0.0' } });
    await expect(engine.generate(params)).rejects.toMatchObject({ code: 'MODEL_NOT_LOADED' });
    const spec = { id: 'm', engine: 'transformers', task: 'text-generation', device: 'cpu', dtype: 'q8', source: { hubHost: 'http://127.0.0.1:1' } } as const;
    expect(await engine.load(spec)).toMatchObject({ id: 'm', library: 'fake 0.0.0' });
    expect((await engine.generate(params)).text).toBe('ok');
    await engine.unload();
    expect(engine.log).toMatchObject({ loads: ['m'], unloads: 1 });
    await expect(engine.score({ kind: 'classify', text: 'x' })).rejects.toMatchObject({ code: 'MODEL_NOT_LOADED' });
  });

  it('holds after the first chunk until released, and reports the configured timings', async () => {
    const engine = createScriptedEngine(['abcdefgh'], { charsPerToken: 4, hold: true, timings: { prefillMs: 7, decodeMs: (tokens) => tokens * 10 } });
    const chunks: string[] = [];
    let settled = false;
    const pending = engine.generate(params, { onChunk: (c) => chunks.push(c.text) }).finally(() => (settled = true));
    await expect.poll(() => chunks).toEqual(['abcd']);
    expect(settled).toBe(false);
    engine.release();
    expect(await pending).toMatchObject({ text: 'abcdefgh', prefillMs: 7, decodeMs: 20 });
  });

  it('settles without timers when chunkDelayMs is null', async () => {
    vi.useFakeTimers();
    try {
      const engine = createScriptedEngine(['abcdefgh'], { chunkDelayMs: null, score: 0.8 });
      expect((await engine.generate(params)).text).toBe('abcdefgh');
      expect((await engine.score({ kind: 'classify', text: 'x' })).score).toBe(0.8);
    } finally {
      vi.useRealTimers();
    }
  });
});
