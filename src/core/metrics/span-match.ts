/**
 * Span matching for error localization. Each gold error is matched by at most
 * one predicted span and each predicted span matches at most one gold error.
 * - 'span': overlap F1 = 2·overlap / (len(pred) + len(gold)) ≥ 0.5.
 * - 'sentence' (gold unit is a sentence, MEDEC): at least half of the
 *   predicted span lies inside the gold sentence.
 */
export type Criterion = 'span' | 'sentence';

export interface Range {
  start: number;
  end: number;
}

export function overlap(a: Range, b: Range): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

export function overlapF1(pred: Range, gold: Range): number {
  const len = pred.end - pred.start + (gold.end - gold.start);
  return len > 0 ? (2 * overlap(pred, gold)) / len : 0;
}

export function spanMatches(pred: Range, gold: Range, criterion: Criterion): boolean {
  const predLen = pred.end - pred.start;
  if (predLen <= 0 || gold.end <= gold.start) return false;
  if (criterion === 'sentence') return overlap(pred, gold) * 2 >= predLen;
  return overlapF1(pred, gold) >= 0.5;
}

/** Greedy one-to-one matching, best overlap first. Returns the number of matched pairs. */
export function matchSpans(gold: readonly Range[], pred: readonly Range[], criterion: Criterion): number {
  if (gold.length === 0 || pred.length === 0) return 0;
  if (gold.length === 1 && pred.length >= 1) {
    const g = gold[0] as Range;
    return pred.some((p) => spanMatches(p, g, criterion)) ? 1 : 0;
  }
  const pairs: { g: number; p: number; score: number }[] = [];
  gold.forEach((g, gi) =>
    pred.forEach((p, pi) => {
      if (spanMatches(p, g, criterion)) pairs.push({ g: gi, p: pi, score: overlapF1(p, g) });
    }),
  );
  pairs.sort((x, y) => y.score - x.score);
  const usedG = new Set<number>();
  const usedP = new Set<number>();
  let matched = 0;
  for (const pair of pairs) {
    if (usedG.has(pair.g) || usedP.has(pair.p)) continue;
    usedG.add(pair.g);
    usedP.add(pair.p);
    matched++;
  }
  return matched;
}
