/**
 * The OpenAI-compatible engine against a REAL local HTTP server (node:http)
 * whose answers each test scripts: streaming and not, retries with
 * Retry-After, broken streams, hangs, 400 refusals of optional features,
 * typed errors, logprobs judging and its fallback, cancellation, and the
 * API key never showing up where it should not.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../../src/protocol/engine';
import { MedfactError, serializeError } from '../../../src/protocol/errors';
import { createOpenAIEngine, parseRetryAfter, resetEndpointMemory, SCORE_CONCURRENCY, type OpenAIEngineOptions, type RetryInfo } from '../../../workers/openai-engine';

type Handler = (req: IncomingMessage, body: Record<string, unknown> | null, res: ServerResponse) => void;

let server: Server;
let base: string;
let handlers: Handler[] = [];
let fallback: Handler;
const seen: Array<{ method: string; url: string; body: Record<string, unknown> | null; auth: string | undefined }> = [];

const MODEL = 'Qwen/Qwen3-32B';

function modelsHandler(extra: Record<string, unknown> = {}): Handler {
  return (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [{ id: MODEL, object: 'model', root: '/models/qwen3-32b', owned_by: 'vllm', max_model_len: 32768, ...extra }] }));
  };
}

function completion(text: string, extra: Record<string, unknown> = {}): Handler {
  return (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'c1', model: MODEL, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', ...extra }], usage: { prompt_tokens: 11, completion_tokens: 3 } }));
  };
}

function sse(parts: string[], opts: { done?: boolean; finish?: string } = {}): Handler {
  return (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const p of parts) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: p }, finish_reason: null }] })}\n\n`);
    if (opts.done === false) {
      setTimeout(() => res.destroy(), 30); // broken off mid-answer, after the first bytes went out
      return;
    }
    res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: opts.finish ?? 'stop' }] })}\n\n`);
    res.write(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 20, completion_tokens: parts.length } })}\n\n`);
    res.end('data: [DONE]\n\n');
  };
}

function status(code: number, headers: Record<string, string> = {}, message = 'nope'): Handler {
  return (_req, _body, res) => {
    res.writeHead(code, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ error: { message } }));
  };
}

const hang: Handler = () => {
  // never answers
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString('utf8')));
    req.on('end', () => {
      const body = data ? (JSON.parse(data) as Record<string, unknown>) : null;
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, auth: req.headers.authorization });
      const h = req.url?.endsWith('/models') ? modelsHandler() : (handlers.shift() ?? fallback);
      h(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  handlers = [];
  seen.length = 0;
  fallback = completion('{"has_error": false, "errors": []}');
  resetEndpointMemory();
});

function spec(id = MODEL): ModelSpec {
  return { id, engine: 'openai', task: 'text-generation', device: 'cpu', dtype: 'fp32', source: { hubHost: base } };
}

const messages = [
  { role: 'system' as const, content: '你是医学事实核查助手。' },
  { role: 'user' as const, content: '请检查：阿莫西林成人每次5克。' },
];

async function loaded(opts: OpenAIEngineOptions = {}) {
  const retries: RetryInfo[] = [];
  const engine = createOpenAIEngine({ backoffBaseMs: 5, backoffMaxMs: 20, onRetry: (r) => retries.push(r), ...opts });
  const result = await engine.load(spec());
  return { engine, result, retries };
}

describe('openai engine: load', () => {
  it('reads the context window and the served weights from /models', async () => {
    const { engine, result } = await loaded();
    expect(result.engine).toBe('openai');
    expect(result.contextTokens).toBe(32768);
    expect(engine.info()).toMatchObject({ model: MODEL, root: '/models/qwen3-32b', maxModelLen: 32768, host: new URL(base).host });
  });

  it('names the served models when the requested one is not there (NOT_FOUND)', async () => {
    const engine = createOpenAIEngine();
    const err = await engine.load(spec('no-such-model')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MedfactError);
    expect((err as MedfactError).code).toBe('NOT_FOUND');
    expect((err as MedfactError).message).toContain(MODEL);
  });

  it('rejects a base URL that is not http(s) with BAD_CONFIG', async () => {
    const engine = createOpenAIEngine({ baseUrl: 'ftp://x' });
    await expect(engine.load(spec())).rejects.toMatchObject({ code: 'BAD_CONFIG' });
  });
});

describe('openai engine: generate', () => {
  it('streams SSE chunks in order and reports usage and the finish reason', async () => {
    const { engine } = await loaded();
    handlers.push(sse(['{"has_error":', ' true', ', "errors": []}'], { finish: 'length' }));
    const chunks: string[] = [];
    const r = await engine.generate({ messages, maxTokens: 64, temperature: 0, seed: 7, thinking: false }, { onChunk: (c) => chunks.push(c.text) });
    expect(chunks).toEqual(['{"has_error":', ' true', ', "errors": []}']);
    expect(r.text).toBe('{"has_error": true, "errors": []}');
    expect(r.finishReason).toBe('length');
    expect(r.promptTokens).toBe(20);
    const body = seen.at(-1)?.body;
    expect(body).toMatchObject({ model: MODEL, max_tokens: 64, temperature: 0, seed: 7, stream: true, chat_template_kwargs: { enable_thinking: false } });
  });

  it('works without streaming', async () => {
    const { engine } = await loaded({ stream: false });
    handlers.push(completion('{"has_error": false}'));
    const r = await engine.generate({ messages, maxTokens: 32, temperature: 0.7 });
    expect(r.text).toBe('{"has_error": false}');
    expect(r.completionTokens).toBe(3);
    expect(seen.at(-1)?.body?.stream).toBe(false);
  });

  it('sends the answer schema as response_format, and after a 400 refusal falls back to plain prompting for this endpoint', async () => {
    const { engine } = await loaded({ stream: false });
    const schema = JSON.stringify({ type: 'object', properties: { has_error: { type: 'boolean' } } });
    handlers.push(status(400, {}, 'response_format json_schema is not supported'), completion('{"has_error": true}'));
    const r = await engine.generate({ messages, maxTokens: 32, temperature: 0, jsonSchema: schema });
    expect(r.text).toBe('{"has_error": true}');
    const posts = seen.filter((s) => s.method === 'POST');
    expect(posts[0]?.body?.response_format).toMatchObject({ type: 'json_schema', json_schema: { schema: JSON.parse(schema) } });
    expect(posts[1]?.body?.response_format).toBeUndefined();
    expect(engine.info()?.refused).toEqual(['response_format']);
    // Remembered: the next call does not ask again.
    await engine.generate({ messages, maxTokens: 32, temperature: 0, jsonSchema: schema });
    expect(seen.filter((s) => s.method === 'POST')[2]?.body?.response_format).toBeUndefined();
  });

  it('a 400 naming one feature drops just that one (stream_options), keeping the answer schema', async () => {
    const { engine } = await loaded();
    const schema = JSON.stringify({ type: 'object' });
    handlers.push(status(400, {}, 'Unrecognized request argument supplied: stream_options'), sse(['{"has_error": false}']));
    const r = await engine.generate({ messages, maxTokens: 32, temperature: 0, jsonSchema: schema });
    expect(r.text).toBe('{"has_error": false}');
    const last = seen.at(-1)?.body;
    expect(last?.stream_options).toBeUndefined();
    expect(last?.response_format).toBeDefined();
    expect(engine.info()?.refused).toEqual(['stream_options']);
  });

  it('a 400 that is not about an optional feature is a BAD_INPUT error and nothing is remembered', async () => {
    const { engine } = await loaded({ stream: false });
    fallback = status(400, {}, 'maximum context length exceeded');
    const err = (await engine.generate({ messages, maxTokens: 32, temperature: 0 }).catch((e: unknown) => e)) as MedfactError;
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toContain('maximum context length');
    expect(engine.info()?.refused).toEqual([]);
  });

  it('retries 429 honouring Retry-After in seconds, then 500, then a broken stream, and succeeds', async () => {
    const { engine, retries } = await loaded();
    handlers.push(status(429, { 'retry-after': '0' }), status(500), sse(['{"has'], { done: false }), sse(['{"has_error": false}']));
    const r = await engine.generate({ messages, maxTokens: 32, temperature: 0 });
    expect(r.text).toBe('{"has_error": false}');
    expect(retries.map((x) => x.reason)).toEqual(['http-429', 'http-500', 'stream-broken']);
    expect(retries[0]?.delayMs).toBe(0);
  });

  it('retries a hung request after the timeout', async () => {
    const { engine, retries } = await loaded({ timeoutMs: 500 });
    // Only the first request hangs; every later one answers, so a retry slowed past the timeout by a busy machine
    // is retried again rather than changing what the test sees.
    handlers.push(hang);
    fallback = sse(['ok']);
    const r = await engine.generate({ messages, maxTokens: 32, temperature: 0 });
    expect(r.text).toBe('ok');
    expect(retries[0]?.reason).toBe('timeout');
    expect(retries.every((x) => x.reason === 'timeout')).toBe(true);
  });

  it('adapts the timeout to the waits it has seen, so a hang costs little once the server is known', async () => {
    const { engine } = await loaded({ timeoutMs: 50_000, maxRetries: 0, adaptiveTimeout: { floorMs: 100, factor: 2, minSamples: 3 } });
    for (let i = 0; i < 3; i++) await engine.generate({ messages, maxTokens: 32, temperature: 0 });
    handlers.push(hang);
    const err = (await engine.generate({ messages, maxTokens: 32, temperature: 0 }).catch((e: unknown) => e)) as MedfactError;
    expect(err.code).toBe('TIMEOUT');
    // The adaptive limit (2 × observed p95, at least 0.1 s), not the configured 50 s. Its exact value follows how
    // fast this machine answered the three requests, so only its order of magnitude is asserted.
    const seconds = Number(/within ([\d.]+) s/.exec(err.message)?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(0.1);
    expect(seconds).toBeLessThan(50);
  });

  it('a request already hanging gets the shorter timeout as soon as the server is known', async () => {
    const { engine } = await loaded({ timeoutMs: 50_000, maxRetries: 0, adaptiveTimeout: { floorMs: 100, factor: 2, minSamples: 3 } });
    handlers.push(hang);
    const posted = seen.filter((s) => s.method === 'POST').length;
    const hung = engine.generate({ messages, maxTokens: 32, temperature: 0 }).catch((e: unknown) => e);
    // The hanging handler must be taken by this request, not by one of the three below: wait until the server has it.
    await expect.poll(() => seen.filter((s) => s.method === 'POST').length).toBe(posted + 1);
    for (let i = 0; i < 3; i++) await engine.generate({ messages, maxTokens: 32, temperature: 0 });
    const err = (await hung) as MedfactError;
    expect(err.code).toBe('TIMEOUT');
    // The adaptive limit (2 × observed p95, at least 0.1 s), not the configured 50 s. Its exact value follows how
    // fast this machine answered the three requests, so only its order of magnitude is asserted.
    const seconds = Number(/within ([\d.]+) s/.exec(err.message)?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(0.1);
    expect(seconds).toBeLessThan(50);
  });

  it('gives up with a typed error after the retries run out', async () => {
    const { engine } = await loaded({ maxRetries: 2 });
    fallback = status(503);
    const err = (await engine.generate({ messages, maxTokens: 32, temperature: 0 }).catch((e: unknown) => e)) as MedfactError;
    expect(err.code).toBe('SERVER_ERROR');
    expect(err.details).toMatchObject({ attempts: 3, status: 503 });
    expect(seen.filter((s) => s.method === 'POST')).toHaveLength(3);
  });

  it('maps 401 to AUTH without retrying, and never puts the API key in the error', async () => {
    const key = 'sk-secret-abc123';
    const { engine } = await loaded({ apiKey: key });
    fallback = status(401);
    const err = (await engine.generate({ messages, maxTokens: 32, temperature: 0 }).catch((e: unknown) => e)) as MedfactError;
    expect(err.code).toBe('AUTH');
    expect(seen.filter((s) => s.method === 'POST')).toHaveLength(1);
    expect(seen.at(-1)?.auth).toBe(`Bearer ${key}`);
    expect(JSON.stringify(serializeError(err))).not.toContain(key);
    expect(JSON.stringify(engine.info())).not.toContain(key);
  });

  it('maps a 404 on the completion to NOT_FOUND', async () => {
    const { engine } = await loaded();
    fallback = status(404, {}, 'The model `x` does not exist.');
    await expect(engine.generate({ messages, maxTokens: 32, temperature: 0 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('cancels a running request through the AbortSignal with an AbortError', async () => {
    const { engine } = await loaded({ timeoutMs: 60_000 });
    handlers.push(hang);
    const ctrl = new AbortController();
    const p = engine.generate({ messages, maxTokens: 32, temperature: 0 }, { signal: ctrl.signal });
    setTimeout(() => ctrl.abort(), 50);
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('cancels during a backoff wait', async () => {
    const { engine } = await loaded({ backoffBaseMs: 60_000, backoffMaxMs: 60_000 });
    handlers.push(status(500));
    const ctrl = new AbortController();
    const p = engine.generate({ messages, maxTokens: 32, temperature: 0 }, { signal: ctrl.signal });
    setTimeout(() => ctrl.abort(), 100);
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('openai engine: judge score', () => {
  it('reads P(yes) against P(no) from top_logprobs of the first token', async () => {
    const { engine } = await loaded();
    const lp = { content: [{ token: '是', logprob: Math.log(0.6), top_logprobs: [{ token: '是', logprob: Math.log(0.6) }, { token: '否', logprob: Math.log(0.2) }] }] };
    handlers.push(completion('是', { logprobs: lp }));
    const r = await engine.score({ kind: 'judge', messages, yes: '是', no: '否' });
    expect(r.score).toBeCloseTo(0.75, 6);
    expect(seen.at(-1)?.body).toMatchObject({ logprobs: true, top_logprobs: 5, max_tokens: 1, temperature: 0 });
  });

  it('falls back to the generated word when the server refuses logprobs', async () => {
    const { engine } = await loaded();
    handlers.push(status(400, {}, 'logprobs not supported'), completion('否'));
    const r = await engine.score({ kind: 'judge', messages, yes: '是', no: '否' });
    expect(r.score).toBe(0);
    expect(seen.at(-1)?.body?.logprobs).toBeUndefined();
    expect(engine.info()?.refused).toContain('logprobs');
  });

  it('falls back to the generated word when the server ignores logprobs', async () => {
    const { engine } = await loaded();
    handlers.push(completion('是的'));
    expect((await engine.score({ kind: 'judge', messages, yes: '是', no: '否' })).score).toBe(1);
  });

  it('refuses classifier scoring with UNSUPPORTED', async () => {
    const { engine } = await loaded();
    await expect(engine.score({ kind: 'classify', text: 'x' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('scoreBatch gives the one-by-one scores in input order, SCORE_CONCURRENCY questions in flight at once', async () => {
    const { engine } = await loaded();
    const n = 10;
    const items = Array.from({ length: n }, (_, i) => ({ kind: 'judge' as const, messages: [{ role: 'user' as const, content: `问题${i}` }], yes: '是', no: '否' }));
    // Each question's answer follows from its number; the server holds requests until `lanes` are open at once
    // (or all that remain), so the test sees the concurrency without timing anything.
    let lanes = 1;
    let answered = 0;
    let maxInFlight = 0;
    const held: Array<() => void> = [];
    fallback = (_req, body, res) => {
      const content = String((body?.messages as Array<{ content: string }> | undefined)?.[0]?.content ?? '');
      const p = (Number(content.replace('问题', '')) + 1) / (n + 2);
      const lp = { content: [{ token: '是', logprob: Math.log(p), top_logprobs: [{ token: '是', logprob: Math.log(p) }, { token: '否', logprob: Math.log(1 - p) }] }] };
      held.push(() => completion('是', { logprobs: lp })(_req, body, res));
      maxInFlight = Math.max(maxInFlight, held.length);
      if (held.length >= Math.min(lanes, n - answered)) {
        answered += held.length;
        for (const release of held.splice(0)) release();
      }
    };
    const oneByOne = [];
    for (const item of items) oneByOne.push((await engine.score(item)).score);
    expect(maxInFlight).toBe(1);
    lanes = SCORE_CONCURRENCY;
    answered = 0;
    const progress: number[] = [];
    const batched = await engine.scoreBatch?.(items, { onProgress: (p) => progress.push(p.done) });
    expect(batched?.map((r) => r.score)).toEqual(oneByOne);
    expect(oneByOne.map((s) => Math.round(s * (n + 2)))).toEqual(items.map((_, i) => i + 1));
    expect(maxInFlight).toBe(SCORE_CONCURRENCY);
    expect(progress).toEqual(items.map((_, i) => i + 1));
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-30T06:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Mon, 30 Nov 2026 06:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('garbage', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
