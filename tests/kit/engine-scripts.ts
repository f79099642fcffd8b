/**
 * Ready-made scripts for the one FAKE engine (scripted-engine.ts): the
 * verifier's JSON answer, reward scores looked up by quote, and the protocol
 * tests' command engine. They only choose options; the engine is the same.
 */
import { MedfactError, isErrorCode } from '../../src/protocol/errors';
import type { LoadProgress, ModelSpec, ScoreParams } from '../../src/protocol/engine';
import { createScriptedEngine, type ScriptedEngine, type ScriptedEngineLog } from './scripted-engine';

/** The verifier's answer (answer format v1) naming these errors. */
export function answerFor(errors: { quote: string; type?: string; med?: boolean; fix?: string; why?: string }[]): string {
  return JSON.stringify({
    has_error: errors.length > 0,
    errors: errors.map((e) => ({ quote: e.quote, type: e.type ?? 'conceptual', med: e.med ?? false, fix: e.fix ?? '', why: e.why ?? '' })),
  });
}

/**
 * A reward score per quote: the classifier's text pair is "quote → correction"
 * (its text is the context, which may hold other quotes); a judge sees the
 * quote in its messages. Anything else scores `fallback`.
 */
export function scoreByQuote(table: Record<string, number>, fallback = 0.9): (params: ScoreParams) => number {
  return (params) => {
    const hay = params.kind === 'classify' ? (params.textPair ?? params.text) : JSON.stringify(params.messages);
    const hit = Object.entries(table).find(([quote]) => hay.includes(quote));
    return hit ? hit[1] : fallback;
  };
}

/** What the command engine streams, one character a token. */
export const FAKE_REPLY = '阿司匹林的常用剂量是每日100毫克。';

/** Spec of the fake model; `id: 'fake/dipping'` makes load report a progress dip. */
export function fakeSpec(id = 'fake/model'): ModelSpec {
  return { id, engine: 'transformers', task: 'text-generation', device: 'cpu', dtype: 'q8', source: { hubHost: 'http://127.0.0.1:1' } };
}

function loadSteps(spec: ModelSpec): LoadProgress[] {
  return spec.id === 'fake/dipping'
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
}

const command = (params: { messages: { content: string }[] }): string => params.messages[0]?.content ?? '';

/**
 * The engine the protocol tests drive across a worker boundary, its behaviour
 * chosen by the first message's content:
 * - `throw:CODE` → throws MedfactError(CODE, `fake failure CODE`)
 * - `throw-plain` → throws a plain Error; `throw-string` → throws a string
 * - `slow` → streams one character every 200 ms (for cancel tests)
 * - anything else → streams FAKE_REPLY one character at a time
 * Load reports download progress (1 ms a step); a judge scores 0.75, a classifier 0.25.
 */
export function createCommandEngine(log?: ScriptedEngineLog): ScriptedEngine {
  return createScriptedEngine([FAKE_REPLY], {
    charsPerToken: 1,
    chunkDelayMs: (params) => (command(params) === 'slow' ? 200 : 1),
    loadSteps,
    loadStepMs: 1,
    loaded: { loadMs: 5, warmupMs: 1, library: 'fake 0.0.0', contextTokens: 4096 },
    requireLoad: true,
    timings: { prefillMs: 1, decodeMs: (tokens) => tokens },
    generateError: (params) => {
      const c = command(params);
      if (c.startsWith('throw:')) {
        const code = c.slice('throw:'.length);
        return new MedfactError(isErrorCode(code) ? code : 'INTERNAL', `fake failure ${code}`, { code });
      }
      if (c === 'throw-plain') return new Error('plain failure');
      if (c === 'throw-string') throw 'a bare string failure';
      return undefined;
    },
    score: (params) => (params.kind === 'judge' ? 0.75 : 0.25),
    ...(log ? { log } : {}),
  });
}
