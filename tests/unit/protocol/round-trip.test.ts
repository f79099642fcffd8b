import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEngineClient, type EngineClient, type EngineState } from '../../../src/client/engine-client';
import { createWorkerClient } from '../../../src/client/worker-client';
import { createWorkerProxy } from '../../../src/client/worker-proxy';
import { defineProtocol, forwardHandlers, type ImplementationOf, type MethodsOf } from '../../../src/protocol/declare-protocol';
import type { GenerateChunk, GenerateParams, LoadProgress } from '../../../src/protocol/engine';
import { ERROR_CODES, MedfactError, isAbortError } from '../../../src/protocol/errors';
import { neverPayload, noParams, type MethodSpec, type PortLike, type Protocol } from '../../../src/protocol/messages';
import { serveEngine } from '../../../src/protocol/serve-engine';
import { createWorkerServer } from '../../../src/protocol/worker-server';
import { FAKE_REPLY, createCommandEngine, fakeSpec } from '../../kit/engine-scripts';
import { scriptedEngineLog, type ScriptedEngineLog } from '../../kit/scripted-engine';
import { countingRequests, inProcessWorker, type InProcessWorker } from './ports';

function ask(content: string, maxTokens = 64): GenerateParams {
  return { messages: [{ role: 'user', content }], maxTokens, temperature: 0 };
}

const opened: Array<{ dispose(): void }> = [];
afterEach(() => {
  for (const item of opened.splice(0)) item.dispose();
});

function setup(options: { heartbeatMs?: number; hangTimeoutMs?: number } = {}) {
  const probe = scriptedEngineLog();
  const workers: InProcessWorker[] = [];
  const client = createEngineClient({
    createWorker: () => {
      const worker = inProcessWorker((port) => serveEngine(port, () => createCommandEngine(probe)));
      workers.push(worker);
      return worker;
    },
    ...options,
  });
  opened.push(client);
  const states: EngineState[] = [];
  client.onEvent((event) => {
    if (event.type === 'state') states.push(event.state);
  });
  return { client, probe, workers, states };
}

async function loaded(client: EngineClient): Promise<void> {
  await client.load(fakeSpec());
}

async function rejection(promise: Promise<unknown>): Promise<MedfactError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MedfactError);
    if (error instanceof MedfactError) return error;
  }
  throw new Error('expected the promise to reject');
}

describe('engine protocol round trip (in-process worker)', () => {
  it('reports load progress in order, never going down, ending with ready at 1', async () => {
    const { client, states } = setup();
    const events: LoadProgress[] = [];
    const result = await client.load(fakeSpec(), { onProgress: (p) => events.push(p) });
    expect(result).toMatchObject({ id: 'fake/model', engine: 'transformers', library: 'fake 0.0.0' });
    expect(events.map((e) => e.status)).toEqual(['initiate', 'download', 'download', 'done', 'warmup', 'ready']);
    const fractions = events.map((e) => e.progress);
    for (let i = 1; i < fractions.length; i += 1) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1] ?? 0);
    expect(events.at(-1)).toEqual({ status: 'ready', progress: 1 });
    expect(client.state).toBe('ready');
    expect(client.model?.id).toBe('fake/model');
    expect(states).toEqual(['loading', 'ready']);
  });

  it('keeps progress monotonic even when the engine reports a dip', async () => {
    const { client } = setup();
    const fractions: number[] = [];
    await client.load(fakeSpec('fake/dipping'), { onProgress: (p) => fractions.push(p.progress) });
    expect(fractions).toEqual([0, 0.6, 0.6, 0.9, 1]);
  });

  it('streams chunks in order and their concatenation is the result text', async () => {
    const { client } = setup();
    await loaded(client);
    const chunks: GenerateChunk[] = [];
    const result = await client.generate(ask('hello'), { onChunk: (c) => chunks.push(c) });
    expect(result.text).toBe(FAKE_REPLY);
    expect(chunks.map((c) => c.text).join('')).toBe(result.text);
    // Pieces are coalesced in the worker (at most one message per CHUNK_INTERVAL_MS), so token counts rise strictly and end at the total.
    expect(chunks.length).toBeGreaterThan(0);
    for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.tokens).toBeGreaterThan(chunks[i - 1]!.tokens);
    expect(result.finishReason).toBe('stop');
    expect(chunks.at(-1)?.tokens).toBe(result.completionTokens);
  });

  it('scores and unloads', async () => {
    const { client, probe } = setup();
    await loaded(client);
    const score = await client.score({ kind: 'judge', messages: [{ role: 'user', content: '?' }], yes: '是', no: '否' });
    expect(score.score).toBe(0.75);
    await client.unload();
    expect(client.state).toBe('idle');
    expect(probe.unloads).toBe(1);
    expect((await rejection(client.generate(ask('hello')))).code).toBe('MODEL_NOT_LOADED');
  });

  it('scores a batch in one request; the worker falls back to score for an engine without scoreBatch', async () => {
    const requests: string[] = [];
    const client = createEngineClient({
      createWorker: () => countingRequests(inProcessWorker((port) => serveEngine(port, () => createCommandEngine())), requests),
    });
    opened.push(client);
    await loaded(client);
    const judge = { kind: 'judge' as const, messages: [{ role: 'user' as const, content: '?' }], yes: '是', no: '否' };
    const classify = { kind: 'classify' as const, text: '文本' };
    requests.length = 0;
    const progress: Array<[number, number]> = [];
    const results = await client.scoreBatch([judge, classify, judge], { onProgress: (p) => progress.push([p.done, p.total]) });
    expect(requests).toEqual(['scoreBatch']);
    expect(results.map((r) => r.score)).toEqual([0.75, 0.25, 0.75]);
    expect(progress).toEqual([[1, 3], [2, 3], [3, 3]]);
    expect(await client.scoreBatch([])).toEqual([]);
    // A bad item is refused at the boundary, naming where it is.
    const bad = await rejection(client.scoreBatch([judge, { kind: 'classify' } as never]));
    expect(bad.code).toBe('BAD_REQUEST');
  });

  it('cancels mid-generation: AbortError on the client, the engine signal aborted, the worker still usable', async () => {
    const { client, probe } = setup();
    await loaded(client);
    const controller = new AbortController();
    const chunks: string[] = [];
    const pending = client.generate(ask('slow'), {
      signal: controller.signal,
      onChunk: (c) => {
        chunks.push(c.text);
        controller.abort();
      },
    });
    const error = await rejection(pending);
    expect(isAbortError(error)).toBe(true);
    expect(error.code).toBe('ABORTED');
    expect(chunks.length).toBe(1);
    await expect.poll(() => probe.generateSignals[0]?.aborted).toBe(true);
    const next = await client.generate(ask('hello'));
    expect(next.text).toBe(FAKE_REPLY);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const { client, probe } = setup();
    await loaded(client);
    const controller = new AbortController();
    controller.abort();
    expect(isAbortError(await rejection(client.generate(ask('hello'), { signal: controller.signal })))).toBe(true);
    expect(probe.generateSignals).toHaveLength(0);
  });

  it('an aborted load leaves the client idle', async () => {
    const { client } = setup();
    const controller = new AbortController();
    const pending = client.load(fakeSpec(), { signal: controller.signal, onProgress: () => controller.abort() });
    expect(isAbortError(await rejection(pending))).toBe(true);
    expect(client.state).toBe('idle');
  });

  it.each(ERROR_CODES)('an engine error with code %s keeps its code and message', async (code) => {
    const { client } = setup();
    await loaded(client);
    const error = await rejection(client.generate(ask(`throw:${code}`)));
    expect(error.code).toBe(code);
    expect(error.message).toBe(`fake failure ${code}`);
  });

  it('a plain Error and a thrown string arrive as typed errors', async () => {
    const { client } = setup();
    await loaded(client);
    const plain = await rejection(client.generate(ask('throw-plain')));
    expect(plain.code).toBe('INTERNAL');
    expect(plain.message).toBe('plain failure');
    const text = await rejection(client.generate(ask('throw-string')));
    expect(text.code).toBe('INTERNAL');
    expect(text.message).toBe('a bare string failure');
  });

  it('detects a crash: pending calls reject with WORKER_CRASHED and a fresh worker serves the next call', async () => {
    const { client, workers } = setup();
    await loaded(client);
    const lost: string[] = [];
    client.onEvent((event) => {
      if (event.type === 'engine-lost') lost.push(event.message);
    });
    const pending = client.generate(ask('slow'));
    workers[0]?.crash();
    expect((await rejection(pending)).code).toBe('WORKER_CRASHED');
    expect(workers[0]?.terminated).toBe(true);
    expect(workers).toHaveLength(2);
    expect(client.state).toBe('crashed');
    expect(client.model).toBeNull();
    expect(lost).toEqual(['The model engine stopped and was restarted; load the model again.']);
    expect((await rejection(client.generate(ask('hello')))).code).toBe('MODEL_NOT_LOADED');
    await loaded(client);
    expect((await client.generate(ask('hello'))).text).toBe(FAKE_REPLY);
  });

  it('detects a hang: WORKER_TIMEOUT and a restart', async () => {
    const { client, workers } = setup({ heartbeatMs: 20, hangTimeoutMs: 150 });
    await loaded(client);
    const pending = client.generate(ask('slow'));
    workers[0]?.freeze();
    const error = await rejection(pending);
    expect(error.code).toBe('WORKER_TIMEOUT');
    expect(workers[0]?.terminated).toBe(true);
    expect(client.state).toBe('crashed');
    await loaded(client);
    expect((await client.generate(ask('hello'))).text).toBe(FAKE_REPLY);
  });

  it('does not time out a slow but live worker: chunks and pongs count as signs of life', async () => {
    // Each 'slow' token takes 200 ms, over the 150 ms hang timeout, yet the worker answers pings meanwhile.
    const { client } = setup({ heartbeatMs: 20, hangTimeoutMs: 150 });
    await loaded(client);
    const result = await client.generate({ ...ask('slow'), maxTokens: 3 });
    expect(result.text).toBe(FAKE_REPLY.slice(0, 3));
    expect(result.finishReason).toBe('length');
  });

  it('does not blame the worker for a stall on the calling side (a busy machine, a throttled tab)', async () => {
    const { client, workers } = setup({ heartbeatMs: 20, hangTimeoutMs: 150 });
    await loaded(client);
    const pending = client.generate({ ...ask('slow'), maxTokens: 2 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Block this thread (and with it the in-process worker) for four hang timeouts.
    const until = Date.now() + 600;
    while (Date.now() < until) {
      // stalled
    }
    const result = await pending;
    expect(result.text).toBe(FAKE_REPLY.slice(0, 2));
    expect(workers).toHaveLength(1);
  });

  it('restart() rejects pending calls with AbortError and returns to idle', async () => {
    const { client, workers } = setup();
    await loaded(client);
    const pending = client.generate(ask('slow'));
    client.restart();
    expect(isAbortError(await rejection(pending))).toBe(true);
    expect(client.state).toBe('idle');
    expect(workers).toHaveLength(2);
  });

  it('dispose() terminates the worker; later calls reject with AbortError', async () => {
    const { client, workers } = setup();
    await loaded(client);
    client.dispose();
    expect(workers[0]?.terminated).toBe(true);
    expect(client.state).toBe('disposed');
    expect(isAbortError(await rejection(client.generate(ask('hello'))))).toBe(true);
  });
});

/** Sends raw messages to a served engine and collects its replies. */
function rawEngine() {
  const channel = new MessageChannel();
  const server = serveEngine(channel.port2, () => createCommandEngine());
  const replies: unknown[] = [];
  channel.port1.addEventListener('message', (event) => replies.push(event.data));
  channel.port1.start();
  opened.push({
    dispose() {
      server.close();
      channel.port1.close();
      channel.port2.close();
    },
  });
  return { port: channel.port1, replies };
}

describe('worker server input validation', () => {
  it('answers an unknown method with UNKNOWN_METHOD', async () => {
    const { port, replies } = rawEngine();
    port.postMessage({ type: 'request', id: 7, method: 'fly', params: {} });
    await expect.poll(() => replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ type: 'error', id: 7, error: { code: 'UNKNOWN_METHOD' } });
  });

  it.each([
    ['a string', 'hello', null],
    ['a request without id', { type: 'request', method: 'load', params: {} }, null],
    ['an unknown message type', { type: 'shout', id: 3 }, 3],
    ['a request without method', { type: 'request', id: 4 }, 4],
    ['invalid generate params', { type: 'request', id: 5, method: 'generate', params: { messages: 'x' } }, 5],
    ['an invalid load spec', { type: 'request', id: 6, method: 'load', params: { id: 'm', engine: 'torch' } }, 6],
  ])('answers %s with BAD_REQUEST', async (_label, message, id) => {
    const { port, replies } = rawEngine();
    port.postMessage(message);
    await expect.poll(() => replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ type: 'error', id, error: { code: 'BAD_REQUEST' } });
  });

  it('keeps serving after bad input', async () => {
    const { port, replies } = rawEngine();
    port.postMessage(42);
    port.postMessage({ type: 'request', id: 1, method: 'ping' });
    await expect.poll(() => replies).toHaveLength(2);
    expect(replies[1]).toMatchObject({ type: 'result', id: 1 });
  });

  it('does not echo invalid values (possibly user text) back in the error', async () => {
    const { port, replies } = rawEngine();
    port.postMessage({ type: 'request', id: 2, method: 'generate', params: { messages: [{ role: 'doctor', content: '患者隐私文本' }] } });
    await expect.poll(() => replies).toHaveLength(1);
    expect(JSON.stringify(replies[0])).not.toContain('患者隐私文本');
  });
});

// The generic server and client serve any method map, not just the engine.
type EchoMethods = {
  echo: MethodSpec<{ bytes: ArrayBuffer }, { length: number; bytes: ArrayBuffer }, { done: number }>;
  lie: MethodSpec<undefined, { ok: true }>;
  missing: MethodSpec<undefined, undefined>;
};
const echoProtocol: Protocol<EchoMethods> = {
  echo: {
    params: z.object({ bytes: z.instanceof(ArrayBuffer) }),
    result: z.object({ length: z.number(), bytes: z.instanceof(ArrayBuffer) }),
    progress: z.object({ done: z.number() }),
    chunk: neverPayload,
  },
  lie: { params: z.undefined(), result: z.object({ ok: z.literal(true) }), progress: neverPayload, chunk: neverPayload },
  missing: { params: z.undefined(), result: z.undefined(), progress: neverPayload, chunk: neverPayload },
};

describe('generic worker server and client', () => {
  it('derive a proxy and forwarding handlers from one declaration', async () => {
    const counter = defineProtocol({
      add: { params: z.object({ n: z.number() }), result: z.number(), progress: z.object({ at: z.number() }) },
      reset: { params: noParams, result: z.undefined() },
      extra: { params: z.string(), result: z.string(), optional: true },
    });
    let total = 0;
    const implementation: ImplementationOf<typeof counter> = {
      async add({ n }, options) {
        options?.onProgress?.({ at: total });
        total += n;
        return total;
      },
      async reset() {
        total = 0;
      },
    };
    const client = createWorkerClient<MethodsOf<typeof counter>>({
      protocol: counter,
      name: 'counter worker',
      createWorker: () =>
        inProcessWorker((port) =>
          createWorkerServer(port, forwardHandlers(counter, () => implementation, (method) => new MedfactError('UNSUPPORTED', `no ${method}`)), counter),
        ),
    });
    opened.push(client);
    const proxy = createWorkerProxy(client, counter);
    const seen: number[] = [];
    expect(await proxy.add({ n: 2 }, { onProgress: (p) => seen.push(p.at) })).toBe(2);
    expect(await proxy.add({ n: 3 })).toBe(5);
    await proxy.reset();
    expect(await proxy.add({ n: 1 })).toBe(1);
    expect(seen).toEqual([0]);
    // An optional method the implementation lacks is refused, typed.
    expect((await rejection(proxy.extra('x'))).code).toBe('UNSUPPORTED');
    // Params are still checked at the boundary.
    expect((await rejection(proxy.add({ n: 'two' } as never))).code).toBe('BAD_REQUEST');
  });

  function echoClient() {
    const client = createWorkerClient<EchoMethods>({
      protocol: echoProtocol,
      name: 'echo worker',
      createWorker: () =>
        inProcessWorker((port: PortLike) =>
          // The server's own map lacks `missing`, as a stale worker build would.
          createWorkerServer<Omit<EchoMethods, 'missing'>>(
            port,
            {
              echo({ bytes }, { progress, transferResult }) {
                progress({ done: 0.5 });
                transferResult([bytes]);
                return { length: bytes.byteLength, bytes };
              },
              // Returns what the protocol forbids; the client must catch it.
              lie: () => JSON.parse('{"ok":false}'),
            },
            { echo: echoProtocol.echo, lie: echoProtocol.lie },
          ),
        ),
    });
    opened.push(client);
    return client;
  }

  it('round-trips a custom method with progress and transferred buffers', async () => {
    const client = echoClient();
    const progress: number[] = [];
    const bytes = new Uint8Array([1, 2, 3]).buffer;
    const result = await client.request('echo', { bytes }, { transfer: [bytes], onProgress: (p) => progress.push(p.done) });
    expect(result.length).toBe(3);
    expect(new Uint8Array(result.bytes)).toEqual(new Uint8Array([1, 2, 3]));
    expect(bytes.byteLength).toBe(0); // transferred, not copied
    expect(progress).toEqual([0.5]);
  });

  it('rebuilds UNKNOWN_METHOD as a typed error on the client', async () => {
    const client = echoClient();
    const error = await rejection(client.request('missing', undefined));
    expect(error.code).toBe('UNKNOWN_METHOD');
  });

  it('rejects a result that breaks the protocol with a typed error', async () => {
    const client = echoClient();
    const error = await rejection(client.request('lie', undefined));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toContain('invalid result');
  });

  it('rejects params that cannot be cloned with BAD_REQUEST instead of throwing', async () => {
    const client = echoClient();
    const params = { bytes: new ArrayBuffer(1), fn: () => 1 };
    expect((await rejection(client.request('echo', params))).code).toBe('BAD_REQUEST');
  });
});

describe('serveEngine engine choice', () => {
  it('creates the engine the spec names and unloads the previous one when switching', async () => {
    const made: Array<{ kind: string; probe: ScriptedEngineLog }> = [];
    const client = createEngineClient({
      createWorker: () =>
        inProcessWorker((port) =>
          serveEngine(port, (kind) => {
            const probe = scriptedEngineLog();
            made.push({ kind, probe });
            return createCommandEngine(probe);
          }),
        ),
    });
    opened.push(client);
    await client.load(fakeSpec('a'));
    await client.load(fakeSpec('b'));
    expect(made.map((m) => m.kind)).toEqual(['transformers']);
    await client.load({ ...fakeSpec('c'), engine: 'webllm' });
    expect(made.map((m) => m.kind)).toEqual(['transformers', 'webllm']);
    expect(made[0]?.probe.unloads).toBe(1);
    expect(made[0]?.probe.loads).toEqual(['a', 'b']);
    expect(made[1]?.probe.loads).toEqual(['c']);
    expect(client.model?.engine).toBe('webllm');
  });
});
