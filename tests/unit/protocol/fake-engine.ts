/**
 * FAKE ModelEngine for protocol tests: no model, scripted behaviour chosen by
 * the first message's content. It records the AbortSignal each call received
 * so tests can check that a client-side cancel reached the engine.
 */
import type { GenerateResult, LoadProgress, ModelEngine, ModelSpec } from '../../../src/protocol/engine';
import { AbortError, MedfactError, isErrorCode, throwIfAborted } from '../../../src/protocol/errors';

export const FAKE_REPLY = '阿司匹林的常用剂量是每日100毫克。';

/** Spec of the fake model; `id: 'fake/dipping'` makes load report a progress dip. */
export function fakeSpec(id = 'fake/model'): ModelSpec {
  return { id, engine: 'transformers', task: 'text-generation', device: 'cpu', dtype: 'q8', source: { hubHost: 'http://127.0.0.1:1' } };
}

export interface FakeEngineProbe {
  /** Signals the engine's generate calls received, in call order. */
  generateSignals: AbortSignal[];
  loads: string[];
  unloads: number;
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Behaviour by the first message's content:
 * - `throw:CODE` → throws MedfactError(CODE, `fake failure CODE`)
 * - `throw-plain` → throws a plain Error; `throw-string` → throws a string
 * - `slow` → streams one character every 200 ms (for cancel tests)
 * - anything else → streams FAKE_REPLY one character at a time
 */
export function createFakeEngine(probe: FakeEngineProbe = { generateSignals: [], loads: [], unloads: 0 }): ModelEngine & {
  probe: FakeEngineProbe;
} {
  let loaded: ModelSpec | null = null;
  return {
    probe,
    async load(spec, options = {}) {
      probe.loads.push(spec.id);
      const steps: LoadProgress[] =
        spec.id === 'fake/dipping'
          ? [
              { status: 'initiate', file: 'model.onnx', progress: 0 },
              { status: 'download', file: 'model.onnx', loaded: 60, total: 100, totalLoaded: 60, totalBytes: 100, progress: 0.6 },
              { status: 'download', file: 'model.onnx', loaded: 40, total: 100, totalLoaded: 40, totalBytes: 100, progress: 0.4 },
              { status: 'done', file: 'model.onnx', progress: 0.9 },
            ]
          : [
              { status: 'initiate', file: 'model.onnx', progress: 0 },
              { status: 'download', file: 'model.onnx', loaded: 30, total: 100, totalLoaded: 30, totalBytes: 100, progress: 0.3 },
              { status: 'download', file: 'model.onnx', loaded: 100, total: 100, totalLoaded: 100, totalBytes: 100, progress: 0.8 },
              { status: 'done', file: 'model.onnx', progress: 0.85 },
              { status: 'warmup', progress: 0.95 },
            ];
      for (const step of steps) {
        await delay(1, options.signal);
        options.onProgress?.(step);
      }
      loaded = spec;
      return { id: spec.id, engine: spec.engine, device: spec.device, dtype: spec.dtype, loadMs: 5, warmupMs: 1, library: 'fake 0.0.0', contextTokens: 4096 };
    },
    async generate(params, options = {}) {
      const signal = options.signal ?? new AbortController().signal;
      probe.generateSignals.push(signal);
      if (!loaded) throw new MedfactError('MODEL_NOT_LOADED', 'fake: no model');
      const command = params.messages[0]?.content ?? '';
      if (command.startsWith('throw:')) {
        const code = command.slice('throw:'.length);
        throw new MedfactError(isErrorCode(code) ? code : 'INTERNAL', `fake failure ${code}`, { code });
      }
      if (command === 'throw-plain') throw new Error('plain failure');
      if (command === 'throw-string') throw 'a bare string failure';
      const step = command === 'slow' ? 200 : 1;
      let text = '';
      let tokens = 0;
      for (const char of FAKE_REPLY) {
        if (tokens >= params.maxTokens) break;
        await delay(step, signal);
        throwIfAborted(signal);
        text += char;
        tokens += 1;
        options.onChunk?.({ text: char, tokens });
      }
      const result: GenerateResult = {
        text,
        finishReason: tokens >= params.maxTokens && text !== FAKE_REPLY ? 'length' : 'stop',
        promptTokens: params.messages.length,
        completionTokens: tokens,
        prefillMs: 1,
        decodeMs: tokens,
      };
      return result;
    },
    async score(params, options = {}) {
      throwIfAborted(options.signal);
      if (!loaded) throw new MedfactError('MODEL_NOT_LOADED', 'fake: no model');
      const score = params.kind === 'judge' ? 0.75 : 0.25;
      return { score, raw: { yes: score, no: 1 - score }, ms: 1 };
    },
    async unload() {
      probe.unloads += 1;
      loaded = null;
    },
  };
}
