// An in-process ModelEngine for UI tests: greedy-"generates" a fixed answer
// and scores findings from a table keyed by the quoted fragment.
import type { GenerateParams, GenerateResult, ModelEngine, ScoreParams } from '../../../src/protocol/engine';
import { AbortError } from '../../../src/protocol/errors';

export interface FakeEngineOptions {
  answer: string | ((params: GenerateParams) => string);
  /** Score per quote (looked up in the classifier's text pair); default 0.9. */
  scores?: Record<string, number>;
  /** Resolves generate only when release() is called (to test progress and cancel). */
  hold?: boolean;
}

export function fakeEngine(opts: FakeEngineOptions): ModelEngine & { release: () => void; generated: number } {
  let release: () => void = () => {};
  const engine = {
    generated: 0,
    release: () => release(),
    async load() {
      return { id: 'fake', engine: 'transformers' as const, device: 'cpu' as const, dtype: 'fp32' as const, loadMs: 0, warmupMs: 0, library: 'fake', contextTokens: 4096 };
    },
    async generate(params: GenerateParams, options?: { signal?: AbortSignal; onChunk?: (c: { text: string; tokens: number }) => void }): Promise<GenerateResult> {
      const text = typeof opts.answer === 'function' ? opts.answer(params) : opts.answer;
      options?.onChunk?.({ text: text.slice(0, 10), tokens: 3 });
      if (opts.hold) {
        await new Promise<void>((resolve, reject) => {
          release = resolve;
          options?.signal?.addEventListener('abort', () => reject(new AbortError()));
        });
      }
      engine.generated++;
      return { text, finishReason: 'stop', promptTokens: 100, completionTokens: 20, prefillMs: 5, decodeMs: 20 };
    },
    async score(params: ScoreParams) {
      // The classifier's text pair is "quote → correction"; its text is the context, which may hold other quotes.
      const hay = params.kind === 'classify' ? (params.textPair ?? params.text) : JSON.stringify(params.messages);
      const hit = Object.entries(opts.scores ?? {}).find(([quote]) => hay.includes(quote));
      const score = hit ? hit[1] : 0.9;
      return { score, raw: { error: score }, ms: 1 };
    },
    async unload() {},
  };
  return engine;
}

export function answerFor(errors: { quote: string; type?: string; med?: boolean; fix?: string; why?: string }[]): string {
  return JSON.stringify({
    has_error: errors.length > 0,
    errors: errors.map((e) => ({ quote: e.quote, type: e.type ?? 'conceptual', med: e.med ?? false, fix: e.fix ?? '', why: e.why ?? '' })),
  });
}
