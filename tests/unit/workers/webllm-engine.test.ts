import { describe, expect, it } from 'vitest';
import type { ChatCompletion, ChatCompletionChunk, InitProgressReport } from '@mlc-ai/web-llm';
import type { LoadProgress, ModelSpec } from '../../../src/protocol/engine';
import { MedfactError } from '../../../src/protocol/errors';
import {
  buildAppConfig,
  createWebLLMEngine,
  type MLCEngineLike,
  type MLCEngineOptions,
} from '../../../workers/webllm-engine';

/**
 * FAKE web-llm engine: a hand-written object with the MLCEngineInterface
 * shape the adapter uses. It records every request and replays scripted
 * streams; no real model runs here (none can be downloaded on CI).
 */
interface FakeScript {
  pieces?: string[];
  finish?: 'stop' | 'length';
  /** resolve this promise before each piece, so a test can abort mid-stream */
  gate?: () => Promise<void>;
  failWith?: unknown;
  topLogprobs?: Array<{ token: string; logprob: number }>;
}

class FakeMLCEngine implements MLCEngineLike {
  requests: Array<Record<string, unknown>> = [];
  interrupted = 0;
  unloaded = 0;
  script: FakeScript = {};
  private interruptFlag = false;

  chat = {
    completions: {
      create: ((request: Record<string, unknown>) => this.create(request)) as unknown as MLCEngineLike['chat']['completions']['create'],
    },
  };

  interruptGenerate(): void {
    this.interrupted += 1;
    this.interruptFlag = true;
  }

  async unload(): Promise<void> {
    this.unloaded += 1;
  }

  async runtimeStatsText(): Promise<string> {
    return 'prefill: 100 tok/s, decode: 20 tok/s';
  }

  private async create(request: Record<string, unknown>): Promise<AsyncIterable<ChatCompletionChunk> | ChatCompletion> {
    this.requests.push(structuredClone(request));
    this.interruptFlag = false;
    const script = this.script;
    if (script.failWith !== undefined) throw script.failWith;
    if (!request.stream) {
      const top = script.topLogprobs ?? [];
      const first = top[0] ?? { token: '是', logprob: 0 };
      const completion: ChatCompletion = {
        id: 'fake',
        object: 'chat.completion',
        created: 0,
        model: 'fake',
        choices: [
          {
            index: 0,
            finish_reason: 'length',
            message: { role: 'assistant', content: first.token },
            logprobs: {
              content: [{ token: first.token, logprob: first.logprob, bytes: null, top_logprobs: top.map((t) => ({ ...t, bytes: null })) }],
            },
          },
        ],
      };
      return completion;
    }
    const interrupted = (): boolean => this.interruptFlag;
    async function* stream(): AsyncGenerator<ChatCompletionChunk> {
      const pieces = script.pieces ?? [];
      let n = 0;
      for (const piece of pieces) {
        if (script.gate) await script.gate();
        if (interrupted()) {
          yield chunk('', 'abort');
          return;
        }
        n += 1;
        yield chunk(piece, null);
      }
      yield chunk('', script.finish ?? 'stop');
      yield {
        id: 'fake',
        object: 'chat.completion.chunk',
        created: 0,
        model: 'fake',
        choices: [],
        usage: {
          prompt_tokens: 12,
          completion_tokens: n,
          total_tokens: 12 + n,
          extra: { e2e_latency_s: 1, prefill_tokens_per_s: 321, decode_tokens_per_s: 45, time_to_first_token_s: 0.1 },
        },
      } as unknown as ChatCompletionChunk;
    }
    return stream();
  }
}

function chunk(content: string, finish: ChatCompletionChunk['choices'][number]['finish_reason']): ChatCompletionChunk {
  return {
    id: 'fake',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'fake',
    choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: finish }],
  };
}

const SPEC: ModelSpec = {
  id: 'Qwen3-1.7B-q4f32_1-MLC',
  engine: 'webllm',
  task: 'text-generation',
  device: 'webgpu',
  dtype: 'q4f32',
  source: { hubHost: 'https://mirror.example.org/hub', libHost: 'https://mirror.example.org/libs/', revision: 'v1', mirrorOnly: true },
  modelLib: 'Qwen3-1.7B-q4f32_1_cs1k-webgpu.wasm',
};

function setup(options: { reports?: InitProgressReport[]; createFails?: unknown; shaderF16?: boolean } = {}) {
  const fake = new FakeMLCEngine();
  const calls: Array<{ modelId: string; options: MLCEngineOptions }> = [];
  const engine = createWebLLMEngine({
    version: '0.2.86',
    shaderF16: async () => options.shaderF16,
    createEngine: async (modelId, opts) => {
      calls.push({ modelId, options: opts });
      for (const r of options.reports ?? []) opts.initProgressCallback(r);
      if (options.createFails !== undefined) throw options.createFails;
      return fake;
    },
  });
  return { fake, calls, engine };
}

const messages = [{ role: 'user' as const, content: '检查这段话' }];

describe('WebLLM engine adapter (against a fake MLCEngine)', () => {
  it('builds an app config with the mirror /resolve/<rev>/ layout, the model library and the Cache API backend', async () => {
    const { calls, engine } = setup();
    const result = await engine.load(SPEC);
    const call = calls[0];
    expect(call?.modelId).toBe('Qwen3-1.7B-q4f32_1-MLC');
    const record = call?.options.appConfig.model_list[0];
    expect(record?.model).toBe('https://mirror.example.org/hub/mlc-ai/Qwen3-1.7B-q4f32_1-MLC/resolve/v1/');
    expect(record?.model_lib).toBe('https://mirror.example.org/libs/Qwen3-1.7B-q4f32_1_cs1k-webgpu.wasm');
    expect(record?.required_features).toBeUndefined();
    expect(call?.options.appConfig.cacheBackend).toBe('cache');
    expect(result).toMatchObject({ engine: 'webllm', device: 'webgpu', dtype: 'q4f32', library: 'web-llm 0.2.86', contextTokens: 4096 });
  });

  it('marks f16 builds as needing shader-f16 and refuses them before loading when the GPU lacks it', async () => {
    const spec: ModelSpec = { ...SPEC, id: 'Qwen3-1.7B-q4f16_1-MLC', dtype: 'q4f16', modelLib: 'x.wasm' };
    expect(buildAppConfig(spec).appConfig.model_list[0]?.required_features).toEqual(['shader-f16']);
    const { calls, engine } = setup({ shaderF16: false });
    await expect(engine.load(spec)).rejects.toMatchObject({ code: 'NO_SHADER_F16' });
    expect(calls).toHaveLength(0);
  });

  it('refuses a model library outside the mirror when mirrorOnly is set', async () => {
    const { calls, engine } = setup();
    await expect(engine.load({ ...SPEC, modelLib: 'https://raw.githubusercontent.com/x/y.wasm' })).rejects.toMatchObject({
      code: 'DOWNLOAD_FORBIDDEN',
    });
    expect(calls).toHaveLength(0);
  });

  it('maps init progress to a monotonic LoadProgress that ends at exactly 1', async () => {
    const reports: InitProgressReport[] = [
      { progress: 0, timeElapsed: 0, text: 'Start to fetch params' },
      { progress: 0.25, timeElapsed: 1, text: 'Fetching param cache[1/4]: 100MB fetched. 25% completed, 1 secs elapsed.' },
      { progress: 0.2, timeElapsed: 2, text: 'Loading model from cache[1/4]: 80MB loaded. 20% completed' },
      { progress: 0.9, timeElapsed: 3, text: 'Fetching param cache[4/4]: 360MB fetched. 90% completed' },
      { progress: 1, timeElapsed: 4, text: 'Finish loading on WebGPU - swiftshader' },
    ];
    const { engine } = setup({ reports });
    const seen: LoadProgress[] = [];
    await engine.load(SPEC, { onProgress: (p) => seen.push(p) });
    const fractions = seen.map((p) => p.progress);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1] ?? 0);
    expect(seen.at(-1)).toEqual({ status: 'ready', progress: 1 });
    expect(seen.some((p) => p.status === 'warmup')).toBe(true);
    const download = seen.find((p) => p.status === 'download' && p.loaded > 0);
    expect(download).toMatchObject({ loaded: 100 * 1024 * 1024, total: 400 * 1024 * 1024 });
  });

  it('sends a streaming request with the schema as a JSON string, enable_thinking, seed and temperature', async () => {
    const { fake, engine } = setup();
    await engine.load({ ...SPEC, skipWarmup: true });
    fake.script = { pieces: ['{"', 'errors', '":[]}'] };
    const schema = JSON.stringify({ type: 'object', properties: { errors: { type: 'array' } } });
    const chunks: string[] = [];
    const result = await engine.generate(
      { messages, maxTokens: 64, temperature: 0.7, topP: 0.9, seed: 42, jsonSchema: schema, thinking: true },
      { onChunk: (c) => chunks.push(c.text) },
    );
    const request = fake.requests[0];
    expect(request).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 64,
      temperature: 0.7,
      top_p: 0.9,
      seed: 42,
      response_format: { type: 'json_object', schema },
      extra_body: { enable_thinking: true },
    });
    expect(typeof (request?.response_format as { schema: unknown }).schema).toBe('string');
    expect(chunks.join('')).toBe('{"errors":[]}');
    expect(result).toMatchObject({
      text: '{"errors":[]}',
      finishReason: 'stop',
      promptTokens: 12,
      completionTokens: 3,
      prefillTokens: 12, // web-llm's prompt_tokens is what it prefilled this round
      engineStats: { prefillTokensPerSec: 321, decodeTokensPerSec: 45 },
    });
  });

  it('turns thinking off by default, omits response_format without a schema, and reports length stops', async () => {
    const { fake, engine } = setup();
    await engine.load({ ...SPEC, skipWarmup: true });
    fake.script = { pieces: ['a', 'b'], finish: 'length' };
    const result = await engine.generate({ messages, maxTokens: 2, temperature: 0 });
    expect(fake.requests[0]).toMatchObject({ temperature: 0, extra_body: { enable_thinking: false } });
    expect(fake.requests[0]).not.toHaveProperty('response_format');
    expect(result.finishReason).toBe('length');
  });

  it('on abort calls interruptGenerate and rejects with AbortError; the engine still works afterwards', async () => {
    const { fake, engine } = setup();
    await engine.load({ ...SPEC, skipWarmup: true });
    const controller = new AbortController();
    let released = 0;
    fake.script = {
      pieces: ['一', '二', '三', '四'],
      gate: async () => {
        released += 1;
        if (released === 3) controller.abort();
      },
    };
    const seen: string[] = [];
    await expect(
      engine.generate({ messages, maxTokens: 10, temperature: 0 }, { signal: controller.signal, onChunk: (c) => seen.push(c.text) }),
    ).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    expect(fake.interrupted).toBe(1);
    expect(seen).toEqual(['一', '二']);
    fake.script = { pieces: ['好'] };
    await expect(engine.generate({ messages, maxTokens: 10, temperature: 0 })).resolves.toMatchObject({ text: '好' });
  });

  it('judge scoring asks for one token with logprobs and compares p(是) with p(否)', async () => {
    const { fake, engine } = setup();
    await engine.load({ ...SPEC, skipWarmup: true });
    fake.script = {
      topLogprobs: [
        { token: '是', logprob: Math.log(0.6) },
        { token: '否', logprob: Math.log(0.2) },
        { token: '不', logprob: Math.log(0.1) },
      ],
    };
    const result = await engine.score({ kind: 'judge', messages, yes: '是', no: '否' });
    expect(fake.requests[0]).toMatchObject({ stream: false, max_tokens: 1, logprobs: true, top_logprobs: 5, temperature: 0 });
    expect(result.score).toBeCloseTo(0.75, 6);
    expect(result.raw.pYes).toBeCloseTo(0.6, 6);
    expect(result.raw.pNo).toBeCloseTo(0.2, 6);
  });

  it('treats an answer word missing from the top logprobs as very unlikely', async () => {
    const { fake, engine } = setup();
    await engine.load({ ...SPEC, skipWarmup: true });
    fake.script = { topLogprobs: [{ token: '否', logprob: Math.log(0.9) }] };
    const result = await engine.score({ kind: 'judge', messages, yes: '是', no: '否' });
    expect(result.score).toBeLessThan(1e-6);
    expect(result.raw.yesFound).toBe(0);
  });

  it('refuses classifier scoring with a typed UNSUPPORTED error', async () => {
    const { engine } = setup();
    await engine.load({ ...SPEC, skipWarmup: true });
    await expect(engine.score({ kind: 'classify', text: '文本' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('normalises rejections that arrive as plain strings', async () => {
    const { engine } = setup({ createFails: 'Unable to find a compatible GPU. This issue might be because your computer does not support WebGPU' });
    const error = await engine.load(SPEC).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MedfactError);
    expect(error).toMatchObject({ code: 'NO_WEBGPU' });

    const offline = setup({ createFails: new TypeError('Failed to fetch') });
    await expect(offline.engine.load(SPEC)).rejects.toMatchObject({ code: 'NETWORK' });

    const oom = setup({ createFails: 'Error: out of memory while allocating buffer' });
    await expect(oom.engine.load(SPEC)).rejects.toMatchObject({ code: 'OUT_OF_MEMORY' });
  });

  it("maps web-llm's shader-f16 error and device loss to their codes, and forgets a lost engine", async () => {
    const f16 = setup({ createFails: new Error('This model requires WebGPU extension shader-f16, which is not enabled in this browser.') });
    await expect(f16.engine.load(SPEC)).rejects.toMatchObject({ code: 'NO_SHADER_F16' });

    const { fake, engine } = setup();
    await engine.load({ ...SPEC, skipWarmup: true });
    fake.script = { failWith: new Error('The WebGPU device was lost while loading the model. This issue often occurs due to running out of memory (OOM).') };
    await expect(engine.generate({ messages, maxTokens: 4, temperature: 0 })).rejects.toMatchObject({ code: 'DEVICE_LOST' });
    fake.script = { pieces: ['x'] };
    await expect(engine.generate({ messages, maxTokens: 4, temperature: 0 })).rejects.toMatchObject({ code: 'MODEL_NOT_LOADED' });
  });

  it('rejects a wasm device and bad generation input with typed errors', async () => {
    const { engine } = setup();
    await expect(engine.load({ ...SPEC, device: 'wasm' })).rejects.toMatchObject({ code: 'NO_WEBGPU' });
    await expect(engine.generate({ messages, maxTokens: 4, temperature: 0 })).rejects.toMatchObject({ code: 'MODEL_NOT_LOADED' });
    await engine.load({ ...SPEC, skipWarmup: true });
    await expect(engine.generate({ messages: [], maxTokens: 4, temperature: 0 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('unload releases the engine', async () => {
    const { fake, engine } = setup();
    await engine.load({ ...SPEC, skipWarmup: true });
    await engine.unload();
    expect(fake.unloaded).toBe(1);
    await expect(engine.score({ kind: 'judge', messages, yes: '是', no: '否' })).rejects.toMatchObject({ code: 'MODEL_NOT_LOADED' });
  });
});
