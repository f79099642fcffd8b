import { describe, expect, it } from 'vitest';
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
});
