/**
 * Interrupt check: start a long greedy generation, cancel it as soon as the
 * first chunk arrives, and check that the call rejects with AbortError, that
 * no chunk trickles in afterwards, and that the engine answers the next call.
 * The engine runs calls one at a time, so the next call can only start once
 * the cancelled one has really stopped: the time from the cancel to the end
 * of the follow-up, minus the follow-up's own engine time, is how long the
 * engine kept working after being told to stop.
 */
import type { ModelEngine } from '../../../protocol/engine';
import { AbortError, isAbortError, serializeError, toMedfactError, type SerializedError } from '../../../protocol/errors';
import type { SelfTestPrompt } from './prompts';

/** Tokens asked of the generation that gets cancelled: long, so only a working cancel ends it early. */
export const INTERRUPT_LONG_TOKENS = 256;
/** Tokens of the follow-up generation that shows the engine still works. */
export const INTERRUPT_FOLLOW_UP_TOKENS = 16;
/** The engine stops between tokens; allow this many token times (or at least STOP_FLOOR_MS) for it. */
export const STOP_TOKEN_BUDGET = 5;
export const STOP_FLOOR_MS = 1000;

export interface InterruptCheck {
  /** What the cancelled call did: rejected with AbortError (right), another error, or ran to the end (the cancel was ignored). */
  cancelled: 'abort-error' | 'other-error' | 'completed' | 'no-chunk';
  cancelError?: SerializedError;
  /** Chunks before the cancel (1 when the check could cancel) and after it (should be 0). */
  chunksBeforeAbort: number;
  chunksAfterAbort: number;
  /** Time from the cancel to the call's rejection. */
  rejectMs: number | null;
  /** Estimated time the engine kept working after the cancel (see the file comment). */
  stopMs: number | null;
  /** The bound stopMs was held to: max(STOP_FLOOR_MS, STOP_TOKEN_BUDGET × ms per token). */
  stopBoundMs: number;
  stoppedPromptly: boolean | null;
  followUp: { ok: true; text: string; completionTokens: number; ms: number } | { ok: false; error: SerializedError };
  /** Cancelled with AbortError, nothing after the cancel, the engine stopped promptly and the next call worked. */
  passed: boolean;
}

export interface InterruptOptions {
  prompt: SelfTestPrompt;
  /** Mean ms per decoded token on this device, when known (sets the stop bound). */
  msPerToken: number | null;
  /** The whole self-test's signal: cancelling it cancels the check (rejects with AbortError). */
  signal?: AbortSignal;
  now: () => number;
  longTokens?: number;
  followUpTokens?: number;
}

export async function runInterruptCheck(engine: ModelEngine, options: InterruptOptions): Promise<InterruptCheck> {
  const { prompt, signal, now } = options;
  const stopBoundMs = Math.max(STOP_FLOOR_MS, STOP_TOKEN_BUDGET * (options.msPerToken ?? 0));
  const inner = new AbortController();
  const forward = (): void => inner.abort();
  signal?.addEventListener('abort', forward, { once: true });
  let abortAt: number | null = null;
  let chunksBeforeAbort = 0;
  let chunksAfterAbort = 0;
  let cancelled: InterruptCheck['cancelled'];
  let cancelError: SerializedError | undefined;
  let rejectMs: number | null = null;
  try {
    try {
      await engine.generate(
        { messages: prompt.messages, maxTokens: options.longTokens ?? INTERRUPT_LONG_TOKENS, temperature: 0, thinking: false },
        {
          signal: inner.signal,
          onChunk: () => {
            if (abortAt !== null) {
              chunksAfterAbort++;
              return;
            }
            chunksBeforeAbort++;
            abortAt = now();
            inner.abort();
          },
        },
      );
      cancelled = abortAt === null ? 'no-chunk' : 'completed';
    } catch (error) {
      if (signal?.aborted) throw new AbortError();
      if (abortAt !== null) rejectMs = now() - abortAt;
      if (abortAt !== null && isAbortError(error)) cancelled = 'abort-error';
      else {
        cancelled = 'other-error';
        cancelError = serializeError(toMedfactError(error));
      }
    }
  } finally {
    signal?.removeEventListener('abort', forward);
  }

  let followUp: InterruptCheck['followUp'];
  let stopMs: number | null = null;
  const followStarted = now();
  try {
    const r = await engine.generate(
      { messages: prompt.messages, maxTokens: options.followUpTokens ?? INTERRUPT_FOLLOW_UP_TOKENS, temperature: 0, thinking: false },
      signal ? { signal } : {},
    );
    const ended = now();
    followUp = { ok: true, text: r.text, completionTokens: r.completionTokens, ms: ended - followStarted };
    if (abortAt !== null) stopMs = Math.max(0, ended - abortAt - (r.prefillMs + r.decodeMs));
  } catch (error) {
    // Only the self-test's own cancel ends the check; an AbortError from a restarted worker is a failure.
    if (signal?.aborted) throw new AbortError();
    followUp = { ok: false, error: serializeError(toMedfactError(error)) };
  }
  const stoppedPromptly = stopMs === null ? null : stopMs <= stopBoundMs;
  return {
    cancelled,
    ...(cancelError ? { cancelError } : {}),
    chunksBeforeAbort,
    chunksAfterAbort,
    rejectMs,
    stopMs,
    stopBoundMs,
    stoppedPromptly,
    followUp,
    passed: cancelled === 'abort-error' && chunksAfterAbort === 0 && stoppedPromptly === true && followUp.ok,
  };
}
