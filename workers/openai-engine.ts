/**
 * ModelEngine over an OpenAI-compatible inference server (vLLM, SGLang,
 * llama.cpp, Ollama): `POST {base}/chat/completions`, `GET {base}/models`.
 * It uses only fetch, so the CLI runs it in-process in Node and the app can
 * run it in a worker. Calls may run concurrently (the server batches them).
 *
 * Robustness is the point (what users of evaluation harnesses ask for):
 * every request has a timeout (for streams: an idle timeout, reset by each
 * chunk), 429 / 5xx / timeouts / broken-off streams are retried with
 * exponential backoff and jitter (a 429's Retry-After wins, seconds or an
 * HTTP date), and everything else becomes a typed MedfactError.
 *
 * Optional request features a server may refuse with 400 (`response_format`
 * json_schema, `chat_template_kwargs`, `logprobs`, `stream_options`) are dropped one at a time
 * and the refusal is remembered per endpoint, so later calls go straight to
 * plain prompting (core's tolerant parser reads the answer either way).
 *
 * The API key lives only in this closure: never in the spec, results,
 * errors or logs.
 */
import type {
  GenerateChunk,
  GenerateParams,
  GenerateResult,
  LoadProgress,
  LoadResult,
  ModelEngine,
  ModelSpec,
  ScoreParams,
  ScoreResult,
} from '../src/protocol/engine';
import { abortableSleep, AbortError, MedfactError, throwIfAborted, type ErrorCode } from '../src/protocol/errors';
import { judgeFromTopLogprobs } from './engine-shared/scoring';
import { validateMessages } from './engine-shared/validate-messages';
import { scoreEach } from '../src/protocol/score-batch';

/** Judge questions in flight at once in scoreBatch. */
export const SCORE_CONCURRENCY = 4;

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface RetryInfo {
  attempt: number;
  /** What went wrong: 'http-429', 'http-503', 'timeout', 'network', 'stream-broken'. */
  reason: string;
  delayMs: number;
}

export interface OpenAIEngineOptions {
  /** Base URL including the API prefix, e.g. `http://gpu1:8000/v1`. Default: the spec's source.hubHost. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer …`; kept in memory only. */
  apiKey?: string;
  fetch?: FetchLike;
  /** Per request; for streams the longest silence between chunks. Default 120 s. */
  timeoutMs?: number;
  /**
   * Adapt the timeout to what this server shows: after `minSamples`
   * successful requests, the timeout is `factor` × the 95th percentile of
   * the longest wait per request (time to first byte, or the longest gap
   * between stream chunks), never under `floorMs` nor over timeoutMs. A hung
   * request then costs seconds, not the full timeout, while slow servers
   * keep their long waits. Off by default.
   */
  adaptiveTimeout?: { floorMs: number; factor: number; minSamples: number };
  /** Retries after the first attempt. Default 5. */
  maxRetries?: number;
  /** First backoff delay; doubles each retry, capped at backoffMaxMs. Default 500 ms. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Longest Retry-After honoured (a server asking for more gets this). Default 120 s. */
  retryAfterMaxMs?: number;
  /** Stream answers (SSE). Default true. */
  stream?: boolean;
  onRetry?: (info: RetryInfo) => void;
  /** For tests: jitter source and clock. */
  random?: () => number;
  now?: () => number;
}

/** What the server told us about the model, for provenance and cache keys. */
export interface ServerModelInfo {
  endpoint: string;
  host: string;
  /** Model id as listed by /models (or as echoed by the first completion when /models is absent). */
  model: string;
  /** vLLM's `root` (the weights actually served), when reported. */
  root?: string;
  ownedBy?: string;
  maxModelLen?: number;
  contextTokens: number;
  /** Features this endpoint refused with 400 (remembered per endpoint). */
  refused: string[];
}

export interface OpenAIEngine extends ModelEngine {
  /** Null until load() succeeded. */
  info(): ServerModelInfo | null;
}

type OptionalFeature = 'response_format' | 'chat_template_kwargs' | 'logprobs' | 'stream_options';

/** Words in a 400's message that name a refused feature. */
const FEATURE_WORDS: Readonly<Record<OptionalFeature, RegExp>> = {
  response_format: /response_format|json_schema|guided|grammar|structured/i,
  chat_template_kwargs: /chat_template_kwargs|enable_thinking/i,
  logprobs: /logprob/i,
  stream_options: /stream_options|include_usage/i,
};

/** Per-endpoint memory of refused optional features (process-wide, like a connection pool). */
const refusedByEndpoint = new Map<string, Set<OptionalFeature>>();

/** For tests: forget what endpoints refused. */
export function resetEndpointMemory(): void {
  refusedByEndpoint.clear();
}

function refusedSet(endpoint: string): Set<OptionalFeature> {
  let s = refusedByEndpoint.get(endpoint);
  if (!s) {
    s = new Set();
    refusedByEndpoint.set(endpoint, s);
  }
  return s;
}

export function normaliseBaseUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MedfactError('BAD_CONFIG', `The server URL "${url}" is not a valid URL; give it like http://host:8000/v1.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new MedfactError('BAD_CONFIG', `The server URL "${url}" must start with http:// or https://.`);
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** A failure that may succeed when tried again. */
class Retryable extends Error {
  constructor(
    readonly reason: string,
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A 400 the caller may answer by dropping an optional feature. */
class BadRequest extends Error {
  constructor(message: string) {
    super(message);
  }
}


/** The server's own error message, short, for the typed error (never the request body). */
async function serverMessage(res: Response): Promise<string> {
  try {
    const text = await res.text();
    try {
      const j = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
      const m = typeof j.error === 'string' ? j.error : (j.error?.message ?? j.message ?? j.detail);
      if (typeof m === 'string') return m.slice(0, 300);
    } catch {
      // not JSON
    }
    return text.slice(0, 300);
  } catch {
    return '';
  }
}

interface ChatCompletionChoice {
  message?: { content?: string | null };
  delta?: { content?: string | null };
  finish_reason?: string | null;
  logprobs?: { content?: Array<{ token: string; logprob: number; top_logprobs?: Array<{ token: string; logprob: number }> }> | null } | null;
}
interface ChatCompletion {
  model?: string;
  choices?: ChatCompletionChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: unknown;
}

interface ModelsList {
  data?: Array<{ id?: unknown; root?: unknown; owned_by?: unknown; max_model_len?: unknown; context_length?: unknown; meta?: { n_ctx_train?: unknown; n_ctx?: unknown } }>;
}

const DEFAULT_CONTEXT_TOKENS = 4096;

export function createOpenAIEngine(options: OpenAIEngineOptions = {}): OpenAIEngine {
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 120_000;
  const maxRetries = options.maxRetries ?? 5;
  const backoffBase = options.backoffBaseMs ?? 500;
  const backoffMax = options.backoffMaxMs ?? 30_000;
  const retryAfterMax = options.retryAfterMaxMs ?? 120_000;
  const useStream = options.stream ?? true;
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => performance.now());
  const apiKey = options.apiKey;
  let info: ServerModelInfo | null = null;
  let endpoint: string | null = null;
  const adaptive = options.adaptiveTimeout;
  const waits: number[] = [];
  let waitIndex = 0;
  let currentTimeout = timeoutMs;

  /** Records one successful request's longest wait and recomputes the adaptive timeout. */
  function recordWait(ms: number): void {
    if (!adaptive) return;
    if (waits.length < 256) waits.push(ms);
    else waits[waitIndex++ % 256] = ms;
    if (waits.length < adaptive.minSamples) return;
    const sorted = [...waits].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
    const next = Math.min(timeoutMs, Math.max(adaptive.floorMs, Math.round(adaptive.factor * p95)));
    const shrank = next < currentTimeout;
    currentTimeout = next;
    // Requests already waiting get the new limit too: a hang among the first requests must not cost the ceiling.
    if (shrank) for (const rearm of inFlight) rearm();
  }
  /** Re-arm functions of the attempts in flight. */
  const inFlight = new Set<() => void>();

  function headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: json ? 'application/json' : 'text/event-stream', 'content-type': 'application/json' };
    if (apiKey) h.authorization = `Bearer ${apiKey}`;
    return h;
  }

  function backoff(attempt: number): number {
    const exp = Math.min(backoffMax, backoffBase * 2 ** attempt);
    // "Equal jitter": half fixed, half random, so retries spread out but never retry at once.
    return Math.round(exp / 2 + (random() * exp) / 2);
  }

  /** Turns a non-2xx response into a retryable failure or a typed error. */
  async function failFor(res: Response, what: string): Promise<never> {
    const message = await serverMessage(res);
    const suffix = message ? `: ${message}` : '';
    const s = res.status;
    if (s === 429) {
      throw new Retryable('http-429', 'RATE_LIMITED', `The server is rate-limiting (429)${suffix}`, parseRetryAfter(res.headers.get('retry-after'), Date.now()), s);
    }
    if (s === 408) throw new Retryable('http-408', 'TIMEOUT', `The server timed out the request (408)${suffix}`, undefined, s);
    if (s >= 500) {
      throw new Retryable(`http-${s}`, 'SERVER_ERROR', `The server failed (${s})${suffix}`, s === 503 ? parseRetryAfter(res.headers.get('retry-after'), Date.now()) : undefined, s);
    }
    if (s === 401 || s === 403) {
      throw new MedfactError('AUTH', `The server at ${hostOf()} refused the credentials (${s}). Check the API key (--api-key-env) or ask the server's administrator.`, { status: s });
    }
    if (s === 404) {
      throw new MedfactError('NOT_FOUND', `${what} was not found on ${hostOf()} (404)${suffix}. Check the base URL (it usually ends in /v1) and the model name.`, { status: s });
    }
    if (s === 400 || s === 422) throw new BadRequest(`The server rejected the request (${s})${suffix}`);
    if (s === 413) throw new MedfactError('BAD_INPUT', `The request is too large for the server (413)${suffix}.`, { status: s });
    throw new MedfactError('INTERNAL', `Unexpected answer ${s} from ${hostOf()}${suffix}.`, { status: s });
  }

  function hostOf(): string {
    try {
      return endpoint ? new URL(endpoint).host : '(no server)';
    } catch {
      return '(no server)';
    }
  }

  /**
   * One logical request with retries. `attempt` performs one try under a
   * signal that fires on the caller's abort or on the (idle) timeout; it
   * calls `touch()` whenever bytes arrive, to reset an idle timeout.
   */
  async function withRetries<T>(
    signal: AbortSignal | undefined,
    attempt: (signal: AbortSignal, touch: () => void) => Promise<T>,
  ): Promise<T> {
    let last: Retryable | undefined;
    for (let i = 0; i <= maxRetries; i++) {
      throwIfAborted(signal);
      const ctrl = new AbortController();
      let timedOut = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let limit = currentTimeout;
      let lastBeat = now();
      let longestWait = 0;
      const arm = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        limit = currentTimeout;
        timer = setTimeout(
          () => {
            timedOut = true;
            ctrl.abort();
          },
          Math.max(0, limit - (now() - lastBeat)),
        );
      };
      const touch = (): void => {
        const t = now();
        longestWait = Math.max(longestWait, t - lastBeat);
        lastBeat = t;
        arm();
      };
      const onAbort = (): void => ctrl.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      arm();
      inFlight.add(arm);
      try {
        const out = await attempt(ctrl.signal, touch);
        recordWait(Math.max(longestWait, now() - lastBeat));
        return out;
      } catch (error) {
        if (signal?.aborted) throw new AbortError();
        if (error instanceof MedfactError || error instanceof BadRequest) throw error;
        if (error instanceof Retryable) last = error;
        else if (timedOut) last = new Retryable('timeout', 'TIMEOUT', `No answer from ${hostOf()} within ${(limit / 1000).toFixed(1)} s`);
        else last = new Retryable('network', 'NETWORK', `Connection to ${hostOf()} failed: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        inFlight.delete(arm);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
      if (i === maxRetries) break;
      const delay = last.retryAfterMs !== undefined ? Math.min(retryAfterMax, last.retryAfterMs) : backoff(i);
      options.onRetry?.({ attempt: i + 1, reason: last.reason, delayMs: delay });
      await abortableSleep(delay, signal);
    }
    const final = last ?? new Retryable('network', 'NETWORK', 'Request failed');
    throw new MedfactError(final.code, `${final.message} (gave up after ${maxRetries + 1} attempts).`, {
      attempts: maxRetries + 1,
      reason: final.reason,
      ...(final.status !== undefined ? { status: final.status } : {}),
    });
  }

  function requireLoaded(): ServerModelInfo {
    if (!info || !endpoint) throw new MedfactError('MODEL_NOT_LOADED', 'No server model is loaded. Load a model first.');
    return info;
  }

  async function loadImpl(spec: ModelSpec, signal: AbortSignal | undefined, onProgress: ((p: LoadProgress) => void) | undefined): Promise<LoadResult> {
    if (spec.engine !== 'openai') throw new MedfactError('BAD_CONFIG', `Model ${spec.id} is for the ${spec.engine} engine, not an OpenAI-compatible server.`);
    if (spec.task !== 'text-generation') throw new MedfactError('UNSUPPORTED', 'An OpenAI-compatible server serves generative models only; use it as verifier or judge.');
    endpoint = options.baseUrl ? normaliseBaseUrl(options.baseUrl) : normaliseBaseUrl(spec.source.hubHost);
    const base = endpoint;
    const started = now();
    onProgress?.({ status: 'initiate', file: 'models', progress: 0 });
    const listed = await withRetries(signal, async (s) => {
      const res = await doFetch(`${base}/models`, { method: 'GET', headers: headers(true), signal: s });
      if (res.status === 404 || res.status === 405) return null; // some servers have no model list
      if (!res.ok) await failFor(res, 'The model list');
      return (await res.json()) as ModelsList;
    });
    let entry: NonNullable<ModelsList['data']>[number] | undefined;
    if (listed) {
      const data = Array.isArray(listed.data) ? listed.data : [];
      entry = data.find((m) => m.id === spec.id);
      if (!entry) {
        const ids = data.map((m) => String(m.id)).slice(0, 10).join(', ');
        throw new MedfactError('NOT_FOUND', `The server at ${new URL(base).host} does not serve a model named "${spec.id}"${ids ? `; it serves: ${ids}` : ''}.`, { model: spec.id });
      }
    }
    const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
    const maxModelLen = num(entry?.max_model_len) ?? num(entry?.context_length) ?? num(entry?.meta?.n_ctx) ?? num(entry?.meta?.n_ctx_train);
    const contextTokens = maxModelLen ?? spec.contextTokens ?? DEFAULT_CONTEXT_TOKENS;
    info = {
      endpoint: base,
      host: new URL(base).host,
      model: spec.id,
      contextTokens,
      refused: [...refusedSet(base)],
      ...(typeof entry?.root === 'string' ? { root: entry.root } : {}),
      ...(typeof entry?.owned_by === 'string' ? { ownedBy: entry.owned_by } : {}),
      ...(maxModelLen !== undefined ? { maxModelLen } : {}),
    };
    onProgress?.({ status: 'done', file: 'models', progress: 1 });
    onProgress?.({ status: 'ready', progress: 1 });
    return {
      id: spec.id,
      engine: 'openai',
      device: spec.device,
      dtype: spec.dtype,
      loadMs: now() - started,
      warmupMs: 0,
      library: `openai-compatible server ${info.host}`,
      contextTokens,
    };
  }

  /**
   * Posts a chat completion, dropping refused optional features on a 400.
   * `run` does one try of the whole request (including reading the stream).
   */
  async function postWithFallback<T>(
    body: Record<string, unknown>,
    features: OptionalFeature[],
    signal: AbortSignal | undefined,
    run: (body: Record<string, unknown>, s: AbortSignal, touch: () => void) => Promise<T>,
  ): Promise<T> {
    const base = endpoint as string;
    const refused = refusedSet(base);
    const present = features.filter((f) => !refused.has(f));
    const build = (): Record<string, unknown> => {
      const b = { ...body };
      for (const f of features) {
        if (present.includes(f)) continue;
        if (f === 'logprobs') {
          delete b.logprobs;
          delete b.top_logprobs;
        } else delete b[f];
      }
      return b;
    };
    const dropped: OptionalFeature[] = [];
    for (;;) {
      try {
        const out = await withRetries(signal, (s, touch) => run(build(), s, touch));
        // It worked without them: remember the refusal for this endpoint.
        for (const f of dropped) refused.add(f);
        if (info) info.refused = [...refused];
        return out;
      } catch (error) {
        if (!(error instanceof BadRequest)) throw error;
        // Drop the feature the server names, else the next one in order.
        const named = present.findIndex((f) => FEATURE_WORDS[f].test(error.message));
        const next = named >= 0 ? present.splice(named, 1)[0] : present.shift();
        if (next === undefined) throw new MedfactError('BAD_INPUT', `${error.message}.`);
        dropped.push(next);
      }
    }
  }

  async function generateImpl(params: GenerateParams, signal: AbortSignal | undefined, onChunk: ((c: GenerateChunk) => void) | undefined): Promise<GenerateResult> {
    const m = requireLoaded();
    validateMessages(params.messages);
    if (!Number.isInteger(params.maxTokens) || params.maxTokens < 1) throw new MedfactError('BAD_INPUT', 'maxTokens must be a positive whole number.');
    throwIfAborted(signal);
    const body: Record<string, unknown> = {
      model: m.model,
      messages: params.messages,
      max_tokens: params.maxTokens,
      temperature: params.temperature,
      stream: useStream,
    };
    if (params.topP !== undefined) body.top_p = params.topP;
    if (params.seed !== undefined) body.seed = params.seed;
    if (useStream) body.stream_options = { include_usage: true };
    const features: OptionalFeature[] = [];
    if (params.jsonSchema !== undefined) {
      let schema: unknown;
      try {
        schema = JSON.parse(params.jsonSchema);
      } catch {
        throw new MedfactError('BAD_INPUT', 'The answer JSON schema is not valid JSON.');
      }
      body.response_format = { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } };
      features.push('response_format');
    }
    if (params.thinking !== undefined) {
      body.chat_template_kwargs = { enable_thinking: params.thinking };
      features.push('chat_template_kwargs');
    }
    if (useStream) features.push('stream_options');
    return postWithFallback(body, features, signal, (b, s, touch) =>
      useStream ? streamOnce(b, s, touch, signal, onChunk) : completeOnce(b, s, signal, onChunk),
    );
  }

  async function completeOnce(body: Record<string, unknown>, s: AbortSignal, outer: AbortSignal | undefined, onChunk: ((c: GenerateChunk) => void) | undefined): Promise<GenerateResult> {
    const started = now();
    const res = await doFetch(`${endpoint as string}/chat/completions`, { method: 'POST', headers: headers(true), body: JSON.stringify(body), signal: s });
    if (!res.ok) await failFor(res, `The model "${String(body.model)}"`);
    return readCompletion(res, started, outer, onChunk);
  }

  async function readCompletion(res: Response, started: number, outer: AbortSignal | undefined, onChunk: ((c: GenerateChunk) => void) | undefined): Promise<GenerateResult> {
    const json = (await res.json()) as ChatCompletion;
    const ended = now();
    const choice = json.choices?.[0];
    if (!choice) throw new Retryable('bad-answer', 'SERVER_ERROR', 'The server answered without a choice');
    const text = choice.message?.content ?? '';
    if (!outer?.aborted && text) onChunk?.({ text, tokens: json.usage?.completion_tokens ?? 0 });
    return {
      text,
      finishReason: choice.finish_reason === 'length' ? 'length' : 'stop',
      promptTokens: json.usage?.prompt_tokens ?? 0,
      completionTokens: json.usage?.completion_tokens ?? 0,
      prefillMs: ended - started,
      decodeMs: 0,
    };
  }

  async function streamOnce(
    body: Record<string, unknown>,
    s: AbortSignal,
    touch: () => void,
    outer: AbortSignal | undefined,
    onChunk: ((c: GenerateChunk) => void) | undefined,
  ): Promise<GenerateResult> {
    const started = now();
    const res = await doFetch(`${endpoint as string}/chat/completions`, { method: 'POST', headers: headers(false), body: JSON.stringify(body), signal: s });
    if (!res.ok) await failFor(res, `The model "${String(body.model)}"`);
    if ((res.headers.get('content-type') ?? '').includes('application/json')) {
      // A server that ignores `stream` answers with one JSON completion.
      return readCompletion(res, started, outer, onChunk);
    }
    if (!res.body) throw new Retryable('stream-broken', 'NETWORK', 'The server sent no stream');
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let pending = '';
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let usage: ChatCompletion['usage'] = null;
    let done = false;
    let firstAt: number | undefined;
    const handle = (line: string): void => {
      if (!line.startsWith('data:')) return; // comments (": ping"), event names, blank lines
      const data = line.slice(5).trim();
      if (data === '[DONE]') {
        done = true;
        return;
      }
      if (data === '') return;
      let chunk: ChatCompletion;
      try {
        chunk = JSON.parse(data) as ChatCompletion;
      } catch {
        throw new Retryable('stream-broken', 'NETWORK', 'The stream carried an unreadable event');
      }
      if (chunk.error) throw new Retryable('stream-error', 'SERVER_ERROR', 'The server reported an error mid-stream');
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) return;
      const delta = choice.delta?.content ?? '';
      if (delta) {
        firstAt ??= now();
        text += delta;
        chunks++;
        if (!outer?.aborted) onChunk?.({ text: delta, tokens: chunks });
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    };
    try {
      while (!done) {
        let part: ReadableStreamReadResult<Uint8Array>;
        try {
          part = await reader.read();
        } catch (error) {
          if (s.aborted) throw error; // timeout or cancel: the caller tells them apart
          throw new Retryable('stream-broken', 'NETWORK', 'The stream broke off before the answer ended');
        }
        const { value, done: eof } = part;
        if (eof) break;
        touch();
        pending += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).replace(/\r$/, '');
          pending = pending.slice(nl + 1);
          handle(line);
          if (done) break;
        }
      }
    } finally {
      reader.cancel().catch(() => undefined);
    }
    if (!done) {
      if (pending.trim()) handle(pending.trim());
      // A stream that ends without [DONE] broke off, unless the server skips [DONE] after a finish reason.
      if (!done && finish === null) throw new Retryable('stream-broken', 'NETWORK', 'The stream broke off before the answer ended');
    }
    const ended = now();
    const u = usage as ChatCompletion['usage'];
    const first = firstAt ?? ended;
    return {
      text,
      finishReason: finish === 'length' ? 'length' : 'stop',
      promptTokens: u?.prompt_tokens ?? 0,
      completionTokens: u?.completion_tokens ?? chunks,
      prefillMs: first - started,
      decodeMs: ended - first,
    };
  }

  async function scoreImpl(params: ScoreParams, signal: AbortSignal | undefined): Promise<ScoreResult> {
    if (params.kind !== 'judge') {
      throw new MedfactError('UNSUPPORTED', 'An OpenAI-compatible server cannot run a classifier head; use it as a yes/no judge, or a transformers.js classifier as the reward model.');
    }
    const m = requireLoaded();
    validateMessages(params.messages);
    throwIfAborted(signal);
    const started = now();
    const body: Record<string, unknown> = {
      model: m.model,
      messages: params.messages,
      max_tokens: 1,
      temperature: 0,
      stream: false,
      logprobs: true,
      top_logprobs: 5,
      chat_template_kwargs: { enable_thinking: false },
    };
    const json = await postWithFallback(body, ['logprobs', 'chat_template_kwargs'], signal, async (b, s) => {
      // Without logprobs the first token alone may be a fragment: let it say a word.
      const req = b.logprobs ? b : { ...b, max_tokens: 4 };
      const res = await doFetch(`${endpoint as string}/chat/completions`, { method: 'POST', headers: headers(true), body: JSON.stringify(req), signal: s });
      if (!res.ok) await failFor(res, `The model "${String(b.model)}"`);
      return (await res.json()) as ChatCompletion;
    });
    const choice = json.choices?.[0];
    const first = choice?.logprobs?.content?.[0];
    if (first) {
      const top = [{ token: first.token, logprob: first.logprob }, ...(first.top_logprobs ?? [])];
      const judged = judgeFromTopLogprobs(top, params.yes, params.no);
      return { score: judged.score, raw: { ...judged.raw, logprobs: 1 }, ms: now() - started };
    }
    // No logprobs offered: the generated word decides (1, 0, or 0.5 when it is neither).
    const word = (choice?.message?.content ?? '').trim();
    const score = word.startsWith(params.yes) ? 1 : word.startsWith(params.no) ? 0 : 0.5;
    return { score, raw: { logprobs: 0, word: score }, ms: now() - started };
  }

  return {
    load: (spec, opts) => loadImpl(spec, opts?.signal, opts?.onProgress),
    generate: (params, opts) => generateImpl(params, opts?.signal, opts?.onChunk),
    score: (params, opts) => scoreImpl(params, opts?.signal),
    // The server batches concurrent requests; a few at a time keeps its queue short.
    scoreBatch: (items, opts) => scoreEach((p, o) => scoreImpl(p, o?.signal), items, opts, SCORE_CONCURRENCY),
    unload: async () => {
      info = null;
    },
    info: () => (info ? { ...info, refused: [...info.refused] } : null),
  };
}
