/**
 * Retrieval quality over a labelled query set: recall@k (share of queries
 * with a relevant passage among the first k) and MRR@10. Shared by the bench
 * and the tests that compare the library's ranking with plain bigram BM25.
 */
export interface LabelledQuery {
  id: string;
  text: string;
  relevant: string[];
}

export interface RetrievalQuality {
  queries: number;
  recallAt1: number;
  recallAt5: number;
  recallAt10: number;
  mrrAt10: number;
}

export function evaluateRanking(queries: readonly LabelledQuery[], search: (text: string, k: number) => { id: string }[]): RetrievalQuality {
  let r1 = 0;
  let r5 = 0;
  let r10 = 0;
  let mrr = 0;
  for (const q of queries) {
    const hits = search(q.text, 10);
    const rank = hits.findIndex((h) => q.relevant.includes(h.id));
    if (rank < 0) continue;
    if (rank < 1) r1++;
    if (rank < 5) r5++;
    r10++;
    mrr += 1 / (rank + 1);
  }
  const n = queries.length || 1;
  return { queries: queries.length, recallAt1: r1 / n, recallAt5: r5 / n, recallAt10: r10 / n, mrrAt10: mrr / n };
}
