/**
 * One benchmark item through the fact-check pipeline (core's check) and into
 * the stored shape: the prediction at the run's threshold, all findings with
 * their scores (so other thresholds can be applied later without running
 * anything), the raw answers, timings and tokens.
 */
import { check, type CheckResult } from '../../core/check';
import { checkMedications, mergeRuleFindings, rulesOnlyResult } from '../../core/meds';
import type { DatasetItem } from '../../core/dataset/types';
import { engineScorer, THRESHOLD_PRESETS } from '../../core/gating';
import type { PredictedSpan, Prediction } from '../../core/predictions';
import type { ModelEngine } from '../../protocol/engine';
import { MedfactError, serializeError } from '../../protocol/errors';
import type { RunConfig, RunItemRecord, StoredFinding, ThresholdPolicy } from '../../core/run-record';

export interface RunEngines {
  /** null only for a rules-only run (formulary mode 'rules'), which loads no model. */
  verifier: ModelEngine | null;
  reward: ModelEngine | null;
}

export function resolveThreshold(policy: ThresholdPolicy): number {
  if (policy.kind === 'preset') return THRESHOLD_PRESETS[policy.preset];
  if (!Number.isFinite(policy.value) || policy.value < 0 || policy.value > 1) {
    throw new MedfactError('BAD_CONFIG', 'The threshold must be a number between 0 and 1.');
  }
  return policy.value;
}

/** Characters per chunk for a context window (one token per Chinese character, half the window left for prompt and answer). */
export function contextCharsFor(contextTokens: number | undefined): number | undefined {
  if (!contextTokens || !Number.isFinite(contextTokens)) return undefined;
  return Math.max(200, Math.floor(contextTokens / 2) - 600);
}

function toStoredFinding(f: CheckResult['findings'][number]): StoredFinding {
  return {
    start: f.span ? f.span.start : null,
    end: f.span ? f.span.end : null,
    quote: f.quote,
    type: f.type,
    correction: f.correction,
    reason: f.reason,
    confidence: f.confidence,
    rewardScore: f.rewardScore,
    support: f.support,
    kept: f.kept,
    severity: f.severity,
  };
}

/** The prediction an item gets at a threshold; mirrors core's verdict rule (with a reward model: any kept finding). */
export function predictionFrom(
  itemId: string,
  text: string,
  findings: readonly StoredFinding[],
  verifierVerdict: RunItemRecord['verifierVerdict'],
  threshold: number,
  hasReward: boolean,
): Prediction {
  const kept = findings.filter((f) => f.confidence >= threshold - 1e-12);
  const hasError = hasReward ? kept.length > 0 : verifierVerdict === 'has_error';
  const spans: PredictedSpan[] = [];
  if (hasError) {
    for (const f of kept) {
      if (f.start === null || f.end === null) {
        // Unlocated: keep its text; the scorer tries to place it.
        if (f.quote) spans.push({ start: -1, end: -1, text: f.quote, type: f.type, correction: f.correction, score: f.confidence });
        continue;
      }
      spans.push({ start: f.start, end: f.end, text: text.slice(f.start, f.end), type: f.type, correction: f.correction, score: f.confidence });
    }
  }
  const p: Prediction = { id: itemId, hasError, spans };
  const best = findings.reduce<number | undefined>((m, f) => (m === undefined || f.confidence > m ? f.confidence : m), undefined);
  if (best !== undefined) p.score = best;
  return p;
}

export interface RunItemContext {
  runId: string;
  index: number;
  config: RunConfig;
  engines: RunEngines;
  threshold: number;
  attempts: number;
  signal?: AbortSignal;
  now?: () => number;
}

/** Runs the pipeline on one item; throws on failure (the loop decides about retries). */
export async function runItem(item: DatasetItem, ctx: RunItemContext): Promise<RunItemRecord> {
  const { config, engines, threshold } = ctx;
  const scorer = engines.reward && config.reward
    ? engineScorer(engines.reward, config.reward.mode, {
        id: config.reward.spec.id,
        ...(config.reward.positiveLabel ? { positiveLabel: config.reward.positiveLabel } : {}),
      })
    : undefined;
  const contextChars = config.contextChars ?? contextCharsFor(config.verifier.spec.contextTokens);
  const formulary = config.formulary && config.formulary.mode !== 'model' ? config.formulary : undefined;
  if (formulary?.mode === 'rules') {
    const t0 = (ctx.now ?? Date.now)();
    const rules = checkMedications(item.text, formulary.rows);
    return recordOf(item, ctx, rulesOnlyResult(item.text, rules, { threshold }, (ctx.now ?? Date.now)() - t0, formulary.hash), false);
  }
  if (!engines.verifier) throw new MedfactError('MODEL_NOT_LOADED', 'This run needs a verifier model, and none is loaded.');
  const modelResult = await check(item.text, {
    verifier: engines.verifier,
    verifierId: config.verifier.spec.id,
    ...(scorer ? { scorer } : {}),
    options: {
      variant: config.variant,
      samples: config.samples,
      maxTokens: config.maxTokens,
      thinking: config.thinking,
      temperature: config.temperature,
      threshold,
      ...(contextChars !== undefined ? { contextChars } : {}),
    },
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const result = formulary ? mergeRuleFindings(modelResult, checkMedications(item.text, formulary.rows), formulary.hash) : modelResult;
  return recordOf(item, ctx, result, scorer !== undefined);
}

function recordOf(item: DatasetItem, ctx: RunItemContext, result: CheckResult, hasScorer: boolean): RunItemRecord {
  const { threshold } = ctx;
  const findings = result.findings.map(toStoredFinding);
  return {
    runId: ctx.runId,
    itemId: item.id,
    index: ctx.index,
    status: 'done',
    attempts: ctx.attempts,
    prediction: predictionFrom(item.id, item.text, findings, result.verifierVerdict, threshold, hasScorer),
    verdict: result.verdict,
    verifierVerdict: result.verifierVerdict,
    answerStatus: result.status,
    findings,
    raw: result.samples.map((s) => s.raw),
    parsed: result.samples.map((s) => s.parse.hasError),
    timings: { totalMs: result.timings.totalMs, generateMs: result.timings.generateMs, scoreMs: result.timings.scoreMs },
    tokens: result.tokens,
    threshold,
    finishedAt: (ctx.now ?? Date.now)(),
  };
}

/** The stored record of an item that failed every attempt: scored apart, never as a prediction. */
export function failedItem(item: DatasetItem, ctx: Omit<RunItemContext, 'engines' | 'config' | 'signal'>, error: unknown): RunItemRecord {
  return {
    runId: ctx.runId,
    itemId: item.id,
    index: ctx.index,
    status: 'failed',
    attempts: ctx.attempts,
    prediction: { id: item.id, hasError: false, spans: [] },
    verdict: null,
    verifierVerdict: null,
    answerStatus: null,
    findings: [],
    raw: [],
    parsed: [],
    timings: { totalMs: 0, generateMs: 0, scoreMs: 0 },
    tokens: { prompt: 0, completion: 0 },
    threshold: ctx.threshold,
    error: serializeError(error),
    finishedAt: (ctx.now ?? Date.now)(),
  };
}
