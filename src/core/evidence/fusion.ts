/**
 * Reciprocal-rank fusion: score = Σ 1 / (k + rank), rank 1-based, k = 60.
 * Used to merge the lexical and dense rankings, and the per-chunk and
 * per-sentence lists of one checked text, whose raw scores are not
 * comparable. Ties keep first-seen order.
 */
import type { ScoredId } from './types';

export const RRF_K = 60;

export function reciprocalRankFusion(lists: readonly (readonly { id: string }[])[], k = RRF_K): ScoredId[] {
  const scores = new Map<string, number>();
  for (const list of lists) {
    list.forEach((hit, i) => scores.set(hit.id, (scores.get(hit.id) ?? 0) + 1 / (k + i + 1)));
  }
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}
