/**
 * Reward gating against over-criticism (MedFact: models flag correct text,
 * more so with more reasoning). Each finding is scored by a FindingScorer
 * (probability that it really is an error) against explicit criteria; only
 * findings whose confidence reaches the threshold are kept, and with a
 * scorer the text is "has an error" only when at least one finding is kept.
 *
 * Safety veto (ProMedical's lesson): a critical finding is also scored
 * against the medication-safety criterion and keeps the higher of the two
 * scores, so a real safety error is never filtered out by a lower factual
 * score; critical findings rank first.
 */
import { MedfactError, throwIfAborted } from '../protocol/errors';
import type { ModelEngine, ScoreParams } from '../protocol/engine';
import { scoreBatch } from '../protocol/score-batch';
import type { ErrorType } from './labels';
import { buildJudgePrompt, type RewardCriterion } from './prompts';

export interface ScoreInput {
  text: string;
  span: { start: number; end: number } | null;
  quote: string;
  type: ErrorType;
  correction: string;
  reason?: string;
  criterion: RewardCriterion;
}

export interface FindingScorer {
  /** Provenance: the reward model's id. */
  id: string;
  /** Probability in 0..1 that the finding really is an error under `criterion`. */
  score(input: ScoreInput, signal?: AbortSignal): Promise<number>;
  /**
   * Optional: many inputs in one call (one worker round trip), in input
   * order, each identical to `score`'s; `onProgress` gets how many are done.
   */
  scoreMany?(inputs: ScoreInput[], signal?: AbortSignal, onProgress?: (done: number) => void): Promise<number[]>;
}

export type Severity = 'critical' | 'normal';

// Wrong population: pregnancy, lactation, children, the elderly, organ failure, allergy.
const POPULATION_RE = /孕妇|妊娠|孕期|哺乳|新生儿|婴儿|婴幼儿|儿童|小儿|老年|肝功能不全|肾功能不全|肝肾功能|过敏者|禁用|慎用|pregnan|lactat|infant|child|elderly/i;
const DOSE_RE = /\d\s*(mg|g|μg|ug|ml|mL|iu|IU|单位|毫克|克|微克|毫升|片|粒|次\/日|次每日)|剂量|过量|禁忌|相互作用|合用|联用/;

/**
 * Safety-critical: medication errors (dose, contraindication, interaction,
 * wrong drug: the verifier's `medication` flag, or a dose/contraindication
 * pattern) and wrong-population statements. Everything else is normal.
 */
export function severityOf(finding: { type?: ErrorType; medication: boolean; quote?: string; correction?: string; reason?: string }): Severity {
  if (finding.medication) return 'critical';
  const text = `${finding.quote ?? ''} ${finding.correction ?? ''} ${finding.reason ?? ''}`;
  if (POPULATION_RE.test(text)) return 'critical';
  if (DOSE_RE.test(`${finding.quote ?? ''} ${finding.correction ?? ''}`)) return 'critical';
  return 'normal';
}

/** Criteria a finding is scored against. */
export function criteriaFor(severity: Severity): RewardCriterion[] {
  return severity === 'critical' ? ['factual_correctness', 'medication_safety'] : ['factual_correctness'];
}

/**
 * Scores one finding against its criteria; the safety criterion can only
 * raise the score (veto against dropping a real safety error).
 */
export async function scoreFinding(scorer: FindingScorer, input: Omit<ScoreInput, 'criterion'>, severity: Severity, signal?: AbortSignal): Promise<{ score: number; byCriterion: Partial<Record<RewardCriterion, number>> }> {
  const byCriterion: Partial<Record<RewardCriterion, number>> = {};
  let best = 0;
  for (const criterion of criteriaFor(severity)) {
    throwIfAborted(signal);
    const s = clamp01(await scorer.score({ ...input, criterion }, signal));
    throwIfAborted(signal);
    byCriterion[criterion] = s;
    best = Math.max(best, s);
  }
  return { score: best, byCriterion };
}

export function clamp01(x: number): number {
  if (!Number.isFinite(x)) return 0;
  return Math.min(1, Math.max(0, x));
}

export type ThresholdPreset = 'balanced' | 'high_precision' | 'high_recall';

/** Confidence thresholds; high precision keeps over-criticism lowest. */
export const THRESHOLD_PRESETS: Readonly<Record<ThresholdPreset, number>> = {
  balanced: 0.5,
  high_precision: 0.7,
  high_recall: 0.3,
};

/** Keeps a finding when its confidence reaches the threshold. */
export function isKept(confidence: number, threshold: number): boolean {
  return confidence >= threshold - 1e-12;
}

export interface CalibrationItem {
  score: number;
  /** True when the item really is an error. */
  gold: boolean;
}

export type CalibrationTarget = { kind: 'max-f1' } | { kind: 'over-criticism'; maxRate: number };

export interface CalibrationResult {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  /** FP / (FP + TN): share of correct items flagged. */
  overCriticism: number;
}

function stats(tp: number, fp: number, pos: number, neg: number): Omit<CalibrationResult, 'threshold'> {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = pos > 0 ? tp / pos : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  const overCriticism = neg > 0 ? fp / neg : 0;
  return { precision, recall, f1, overCriticism };
}

/**
 * Picks a threshold (items kept when score ≥ threshold) from scored items
 * with gold labels. `max-f1`: the threshold with the highest F1 (ties: the
 * higher threshold, which flags less). `over-criticism`: the lowest
 * threshold whose over-criticism rate is at most maxRate (best recall under
 * the constraint); when even flagging nothing is needed, a threshold just
 * above the highest score. Candidate thresholds are the distinct scores.
 */
export function calibrateThreshold(items: readonly CalibrationItem[], target: CalibrationTarget): CalibrationResult {
  const clean = items.filter((it) => Number.isFinite(it.score));
  const pos = clean.filter((it) => it.gold).length;
  const neg = clean.length - pos;
  const sorted = [...clean].sort((a, b) => b.score - a.score);
  const top = sorted[0]?.score ?? 1;
  // Flag nothing: a threshold above every score.
  const none = { threshold: Math.min(1, top) + 1e-6, ...stats(0, 0, pos, neg) };
  const candidates: CalibrationResult[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < sorted.length; i++) {
    const it = sorted[i];
    if (!it) continue;
    if (it.gold) tp++;
    else fp++;
    const next = sorted[i + 1];
    if (next && next.score === it.score) continue; // threshold sits at a distinct score
    candidates.push({ threshold: it.score, ...stats(tp, fp, pos, neg) });
  }
  if (target.kind === 'max-f1') {
    let best: CalibrationResult = none;
    for (const c of candidates) if (c.f1 > best.f1 + 1e-12) best = c;
    return best;
  }
  let best: CalibrationResult = none;
  for (const c of candidates) {
    if (c.overCriticism <= target.maxRate + 1e-12) best = c; // candidates go down in threshold
    else break;
  }
  return best;
}

/** Characters of text kept each side of the span for the scorer's context. */
export const SCORER_CONTEXT_CHARS = 200;

/** Text around the span (or the start of the text when unlocated), for scorers with short inputs. */
export function contextAround(text: string, span: { start: number; end: number } | null, chars = SCORER_CONTEXT_CHARS): string {
  if (!span) return text.slice(0, chars * 2);
  const from = Math.max(0, span.start - chars);
  const to = Math.min(text.length, span.end + chars);
  return text.slice(from, to);
}

/**
 * A FindingScorer on top of ModelEngine.score.
 * - judge: a generative model answers buildJudgePrompt's yes/no question
 *   about the text around the span; score = P(是) / (P(是) + P(否)).
 * - classify: a sequence-pair classifier gets text = the text around the
 *   span with the quote marked as 【quote】, textPair = "quote → correction"
 *   (the correction part left out when empty); score = P(positive label).
 */
export function engineScorer(engine: ModelEngine, mode: 'judge' | 'classify', opts?: { id?: string; contextChars?: number; positiveLabel?: string }): FindingScorer {
  const chars = opts?.contextChars ?? SCORER_CONTEXT_CHARS;
  /** The engine call that scores one input (the same for one input or many). */
  function toParams(input: ScoreInput): ScoreParams {
    const context = contextAround(input.text, input.span, chars);
    if (mode === 'judge') {
      const p = buildJudgePrompt(context, { quote: input.quote, type: input.type, correction: input.correction, reason: input.reason ?? '' }, input.criterion);
      return { kind: 'judge', messages: p.messages, yes: p.yes, no: p.no };
    }
    let marked = context;
    if (input.span) {
      const from = Math.max(0, input.span.start - chars);
      const a = input.span.start - from;
      const b = input.span.end - from;
      marked = `${context.slice(0, a)}【${context.slice(a, b)}】${context.slice(b)}`;
    }
    const pair = input.correction ? `${input.quote} → ${input.correction}` : input.quote;
    return opts?.positiveLabel
      ? { kind: 'classify', text: marked, textPair: pair, positiveLabel: opts.positiveLabel }
      : { kind: 'classify', text: marked, textPair: pair };
  }
  return {
    id: opts?.id ?? `engine-${mode}`,
    async score(input, signal) {
      throwIfAborted(signal);
      const r = await engine.score(toParams(input), signal ? { signal } : {});
      return clamp01(r.score);
    },
    async scoreMany(inputs, signal, onProgress) {
      throwIfAborted(signal);
      const results = await scoreBatch(engine, inputs.map(toParams), {
        ...(signal ? { signal } : {}),
        ...(onProgress ? { onProgress: (p: { done: number }) => onProgress(p.done) } : {}),
      });
      return results.map((r) => clamp01(r.score));
    },
  };
}

/** One finding to score: its input (without the criterion) and its severity. */
export interface FindingToScore {
  input: Omit<ScoreInput, 'criterion'>;
  severity: Severity;
}

/**
 * scoreFinding for many findings at once: every (finding, criterion) pair
 * goes to the scorer in one scoreMany call when it has one (one worker round
 * trip for the whole stage), else one by one. Same results as scoreFinding
 * on each finding. `onProgress` gets how many findings are fully scored.
 */
export async function scoreFindings(
  scorer: FindingScorer,
  findings: readonly FindingToScore[],
  signal?: AbortSignal,
  onProgress?: (scored: number) => void,
): Promise<Array<{ score: number; byCriterion: Partial<Record<RewardCriterion, number>> }>> {
  const pairs = findings.flatMap((f, index) => criteriaFor(f.severity).map((criterion) => ({ index, input: { ...f.input, criterion } })));
  // Pair k finishes finding pairs[k].index; a finding is scored once its last pair is.
  const scoredAfter = (done: number): number => (done >= pairs.length ? findings.length : (pairs[done]?.index ?? findings.length));
  let scores: number[];
  if (scorer.scoreMany) {
    scores = await scorer.scoreMany(pairs.map((p) => p.input), signal, onProgress ? (done) => onProgress(scoredAfter(done)) : undefined);
  } else {
    scores = [];
    for (const pair of pairs) {
      throwIfAborted(signal);
      scores.push(await scorer.score(pair.input, signal));
      onProgress?.(scoredAfter(scores.length));
    }
  }
  throwIfAborted(signal);
  if (scores.length !== pairs.length) throw new MedfactError('INTERNAL', `The reward scorer returned ${scores.length} scores for ${pairs.length} questions.`);
  const out: Array<{ score: number; byCriterion: Partial<Record<RewardCriterion, number>> }> = findings.map(() => ({ score: 0, byCriterion: {} }));
  pairs.forEach((pair, k) => {
    const s = clamp01(scores[k] ?? 0);
    const entry = out[pair.index];
    if (!entry) return;
    entry.byCriterion[pair.input.criterion] = s;
    entry.score = Math.max(entry.score, s);
  });
  return out;
}
