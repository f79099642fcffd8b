/**
 * Tokens-per-second figures from the engine's timings. The engines report
 * prefillMs as the time to the first generated token (the prompt pass plus
 * the first sampling step) and decodeMs from the first token to the end, so
 * prefill speed is prompt tokens / prefillMs and decode speed counts the
 * tokens after the first: (completion − 1) / decodeMs.
 */
import type { GenerateResult } from '../../../protocol/engine';

/** Tokens per second, or null when it cannot be measured (no tokens or no time). */
export function tokensPerSecond(tokens: number, ms: number): number | null {
  if (!Number.isFinite(tokens) || !Number.isFinite(ms) || tokens <= 0 || ms <= 0) return null;
  return (tokens * 1000) / ms;
}

export interface Throughput {
  prefillTokensPerSec: number | null;
  decodeTokensPerSec: number | null;
  promptTokens: number;
  completionTokens: number;
  prefillMs: number;
  decodeMs: number;
}

type Timing = Pick<GenerateResult, 'promptTokens' | 'completionTokens' | 'prefillMs' | 'decodeMs'>;

/** Pooled over several generations: total tokens over total time (not a mean of rates). */
export function throughputOf(runs: readonly Timing[]): Throughput {
  let promptTokens = 0;
  let completionTokens = 0;
  let decodedTokens = 0;
  let prefillMs = 0;
  let decodeMs = 0;
  for (const r of runs) {
    promptTokens += r.promptTokens;
    completionTokens += r.completionTokens;
    decodedTokens += Math.max(0, r.completionTokens - 1);
    prefillMs += r.prefillMs;
    decodeMs += r.decodeMs;
  }
  return {
    prefillTokensPerSec: tokensPerSecond(promptTokens, prefillMs),
    decodeTokensPerSec: tokensPerSecond(decodedTokens, decodeMs),
    promptTokens,
    completionTokens,
    prefillMs,
    decodeMs,
  };
}

/** Mean of what the engine itself reported (WebLLM), per figure; null when it reported none. */
export function meanEngineStats(
  runs: readonly Pick<GenerateResult, 'engineStats'>[],
): { prefillTokensPerSec: number | null; decodeTokensPerSec: number | null } | null {
  const pick = (key: 'prefillTokensPerSec' | 'decodeTokensPerSec'): number | null => {
    const values = runs.map((r) => r.engineStats?.[key]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
  };
  const prefill = pick('prefillTokensPerSec');
  const decode = pick('decodeTokensPerSec');
  return prefill === null && decode === null ? null : { prefillTokensPerSec: prefill, decodeTokensPerSec: decode };
}
