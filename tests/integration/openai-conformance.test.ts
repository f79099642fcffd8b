/**
 * The openai engine against the conformance server, whose answers are the
 * fixture verifier's real transformers.js inference: streamed and plain
 * answers equal the model's own output, core's check() locates the finding
 * through the engine, the judge reads real logprobs, faults are survived,
 * a server without constrained decoding is handled, and a wrong key is AUTH.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/core/check';
import { engineScorer } from '../../src/core/gating';
import type { ModelSpec } from '../../src/protocol/engine';
import { createOpenAIEngine, resetEndpointMemory, type RetryInfo } from '../../workers/openai-engine';
import { ensureFixtureModels } from '../fixtures/ensure-models';
import { startOpenAIServer, type OpenAIServer } from '../fixtures/openai-server';

const MODEL = 'fixture/tiny-verifier-small';
let server: OpenAIServer;
let fixture: { text: string; answer: string; expected: { start: number; end: number }[] };

function spec(id = MODEL): ModelSpec {
  return { id, engine: 'openai', task: 'text-generation', device: 'cpu', dtype: 'fp32', source: { hubHost: server.url } };
}

beforeAll(async () => {
  const root = await ensureFixtureModels();
  fixture = JSON.parse(await readFile(join(root, MODEL, 'fixture.json'), 'utf8')) as typeof fixture;
  server = await startOpenAIServer({ root, maxModelLen: 4096 });
});
afterAll(async () => {
  await server?.close();
});

const messages = [
  { role: 'system' as const, content: '你是医学事实核查助手。' },
  { role: 'user' as const, content: '请检查：成人口服常用剂量为每次5克。' },
];

describe('openai engine × conformance server (real fixture inference)', () => {
  it('streams and answers plainly with the model output, and reports max_model_len', async () => {
    for (const stream of [true, false]) {
      const engine = createOpenAIEngine({ stream });
      const loaded = await engine.load(spec());
      expect(loaded.contextTokens).toBe(4096);
      const chunks: string[] = [];
      const r = await engine.generate({ messages, maxTokens: 512, temperature: 0, thinking: false }, { onChunk: (c) => chunks.push(c.text) });
      expect(r.text).toBe(fixture.answer);
      expect(chunks.join('')).toBe(fixture.answer);
      expect(r.finishReason).toBe('stop');
      expect(r.completionTokens).toBeGreaterThan(0);
    }
  });

  it("runs core check() through the server and locates the fixture's finding", async () => {
    const engine = createOpenAIEngine();
    await engine.load(spec());
    const judge = createOpenAIEngine();
    await judge.load(spec());
    const result = await check(fixture.text, {
      verifier: engine,
      verifierId: MODEL,
      scorer: engineScorer(judge, 'judge', { id: MODEL }),
      options: { useJsonSchema: true, threshold: 0.3 },
    });
    expect(result.verifierVerdict).toBe('has_error');
    const located = result.findings.filter((f) => f.span);
    expect(located.map((f) => [f.span?.start, f.span?.end])).toEqual(fixture.expected.map((e) => [e.start, e.end]));
    // The judge's score is the model's real P(是)/(P(是)+P(否)) through logprobs.
    expect(located[0]?.rewardScore).toBeGreaterThanOrEqual(0);
    expect(server.requests.some((r) => r.kind === 'judge')).toBe(true);
  });

  it('survives 429 with Retry-After, 500, a dropped stream, a dropped connection and a hang', async () => {
    const retries: RetryInfo[] = [];
    const engine = createOpenAIEngine({ timeoutMs: 3000, backoffBaseMs: 10, backoffMaxMs: 50, onRetry: (r) => retries.push(r) });
    await engine.load(spec());
    server.inject([{ kind: '429', retryAfter: '1' }, { kind: '500' }, { kind: 'drop' }, { kind: 'hang' }]);
    const r = await engine.generate({ messages, maxTokens: 512, temperature: 0 });
    expect(r.text).toBe(fixture.answer);
    expect(retries.map((x) => x.reason)).toEqual(['http-429', 'http-500', 'stream-broken', 'timeout']);
    expect(retries[0]?.delayMs).toBe(1000);
    const plain = createOpenAIEngine({ stream: false, backoffBaseMs: 10 });
    await plain.load(spec());
    server.inject([{ kind: 'drop' }]);
    expect((await plain.generate({ messages, maxTokens: 512, temperature: 0 })).text).toBe(fixture.answer);
  });

  it('unknown model: NOT_FOUND naming what the server serves', async () => {
    await expect(createOpenAIEngine().load(spec('Qwen3-72B'))).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(MODEL) });
  });
});

describe('servers that differ', () => {
  it('a server refusing json_schema: plain prompting, remembered for the endpoint', async () => {
    resetEndpointMemory();
    const strict = await startOpenAIServer({ refuseJsonSchema: true });
    try {
      const engine = createOpenAIEngine();
      await engine.load({ ...spec(), source: { hubHost: strict.url } });
      const result = await check(fixture.text, { verifier: engine, verifierId: MODEL, options: { useJsonSchema: true } });
      expect(result.verifierVerdict).toBe('has_error');
      expect(engine.info()?.refused).toEqual(['response_format']);
      expect(strict.requests.map((r) => r.status)).toEqual([400, 200]);
    } finally {
      await strict.close();
    }
  });

  it('a server with an API key: AUTH without it, answers with it', async () => {
    const locked = await startOpenAIServer({ apiKey: 'sk-test-1' });
    try {
      await expect(createOpenAIEngine({ baseUrl: locked.url }).load(spec())).rejects.toMatchObject({ code: 'AUTH' });
      const engine = createOpenAIEngine({ baseUrl: locked.url, apiKey: 'sk-test-1' });
      await engine.load(spec());
      expect((await engine.generate({ messages, maxTokens: 512, temperature: 0 })).text).toBe(fixture.answer);
    } finally {
      await locked.close();
    }
  });
});
