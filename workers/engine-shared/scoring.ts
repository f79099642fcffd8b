import { MedfactError } from '../../src/protocol/errors';

/** Probability floor for an answer token that is not among WebLLM's top logprobs. */
export const MISSING_PROB = 1e-9;

export interface JudgeScore {
  score: number;
  raw: Record<string, number>;
}

function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i] ?? -Infinity);
  if (!Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp((values[i] ?? -Infinity) - max);
  return max + Math.log(sum);
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * Judge score from the last position's logits: the softmax over the whole
 * vocabulary gives p(yes) and p(no); the score is p(yes) / (p(yes) + p(no)),
 * which equals sigmoid(logit_yes − logit_no) and is computed that way for
 * stability. `raw` keeps both probabilities and both logits.
 */
export function judgeFromLogits(row: ArrayLike<number>, yesId: number, noId: number): JudgeScore {
  const logitYes = row[yesId];
  const logitNo = row[noId];
  if (logitYes === undefined || logitNo === undefined) {
    throw new MedfactError('BAD_INPUT', 'The judge answer tokens are outside the model vocabulary.');
  }
  const lse = logSumExp(row);
  return {
    score: sigmoid(logitYes - logitNo),
    raw: { pYes: Math.exp(logitYes - lse), pNo: Math.exp(logitNo - lse), logitYes, logitNo },
  };
}

/**
 * Judge score from the first generated token's top logprobs (WebLLM). A
 * token that is absent from the top list gets MISSING_PROB. Tokens are
 * matched after trimming whitespace, so ` 是` counts as `是`; the best logprob
 * of each side wins (the same word can appear as several tokens).
 */
export function judgeFromTopLogprobs(
  top: ReadonlyArray<{ token: string; logprob: number }>,
  yes: string,
  no: string,
): JudgeScore {
  let lpYes = -Infinity;
  let lpNo = -Infinity;
  for (const t of top) {
    const token = t.token.trim();
    if (token === yes.trim()) lpYes = Math.max(lpYes, t.logprob);
    else if (token === no.trim()) lpNo = Math.max(lpNo, t.logprob);
  }
  const pYes = Number.isFinite(lpYes) ? Math.exp(lpYes) : MISSING_PROB;
  const pNo = Number.isFinite(lpNo) ? Math.exp(lpNo) : MISSING_PROB;
  return { score: pYes / (pYes + pNo), raw: { pYes, pNo, yesFound: Number.isFinite(lpYes) ? 1 : 0, noFound: Number.isFinite(lpNo) ? 1 : 0 } };
}

/**
 * Default positive label of a classifier, when the caller names none: the
 * first label that is, case-insensitively, `error`/`has_error`/`erroneous`,
 * then `incorrect`/`wrong`/`false`, then `1`/`LABEL_1`; a two-label model
 * without such a name uses index 1 (the usual "positive" slot).
 */
const DEFAULT_POSITIVE = [/^(error|has_error|erroneous)$/i, /^(incorrect|wrong|false)$/i, /^(label_)?1$/i];

export function classifyFromLogits(
  logits: readonly number[],
  id2label: Record<string, string>,
  positiveLabel?: string,
): JudgeScore & { label: string } {
  const n = logits.length;
  if (n === 0) throw new MedfactError('INTERNAL', 'The classifier returned no logits.');
  const labels = Array.from({ length: n }, (_, i) => id2label[String(i)] ?? `LABEL_${i}`);
  if (n === 1) {
    // A single-logit head is a regression/reward head: sigmoid of the logit.
    const logit = logits[0] ?? 0;
    const p = sigmoid(logit);
    return { score: p, raw: { [labels[0] ?? 'LABEL_0']: p, logit }, label: labels[0] ?? 'LABEL_0' };
  }
  const lse = logSumExp(logits);
  const probs = logits.map((l) => Math.exp(l - lse));
  let index: number;
  if (positiveLabel !== undefined) {
    index = labels.findIndex((l) => l.toLowerCase() === positiveLabel.toLowerCase());
    if (index < 0) {
      throw new MedfactError('BAD_INPUT', `The classifier has no label "${positiveLabel}"; its labels are ${labels.join(', ')}.`);
    }
  } else {
    index = -1;
    for (const pattern of DEFAULT_POSITIVE) {
      index = labels.findIndex((l) => pattern.test(l));
      if (index >= 0) break;
    }
    if (index < 0) {
      if (n !== 2) {
        throw new MedfactError('BAD_CONFIG', `Cannot tell which of the labels ${labels.join(', ')} is positive; name positiveLabel in the catalog entry.`);
      }
      index = 1;
    }
  }
  const raw: Record<string, number> = {};
  labels.forEach((l, i) => {
    raw[l] = probs[i] ?? 0;
  });
  return { score: probs[index] ?? 0, raw, label: labels[index] ?? '' };
}
