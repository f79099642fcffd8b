/**
 * The baseline the library's ranking must match or beat: plain character
 * bigram BM25 (every pair of adjacent non-space characters, no
 * normalisation, no words; k1 1.2, b 0.75, Lucene IDF). Deliberately
 * simple and independent of src/core/evidence so the comparison is honest.
 */
export function plainBigrams(text: string): string[] {
  const chars = Array.from(text.replace(/\s+/g, ''));
  if (chars.length === 1) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push((chars[i] as string) + (chars[i + 1] as string));
  return out;
}

export class BigramBm25 {
  private readonly ids: string[] = [];
  private readonly lens: number[] = [];
  private readonly postings = new Map<string, { docs: number[]; tfs: number[] }>();
  private total = 0;

  constructor(private readonly k1 = 1.2, private readonly b = 0.75) {}

  add(passages: readonly { id: string; text: string }[]): void {
    for (const p of passages) {
      const d = this.ids.length;
      const grams = plainBigrams(p.text);
      this.ids.push(p.id);
      this.lens.push(grams.length);
      this.total += grams.length;
      const tf = new Map<string, number>();
      for (const g of grams) tf.set(g, (tf.get(g) ?? 0) + 1);
      for (const [g, n] of tf) {
        let post = this.postings.get(g);
        if (!post) this.postings.set(g, (post = { docs: [], tfs: [] }));
        post.docs.push(d);
        post.tfs.push(n);
      }
    }
  }

  search(query: string, k: number): { id: string; score: number }[] {
    const n = this.ids.length;
    const avg = this.total / n || 1;
    const scores = new Map<number, number>();
    for (const g of plainBigrams(query)) {
      const post = this.postings.get(g);
      if (!post) continue;
      const idf = Math.log(1 + (n - post.docs.length + 0.5) / (post.docs.length + 0.5));
      post.docs.forEach((d, i) => {
        const tf = post.tfs[i] ?? 0;
        const s = (idf * tf * (this.k1 + 1)) / (tf + this.k1 * (1 - this.b + (this.b * (this.lens[d] ?? 0)) / avg));
        scores.set(d, (scores.get(d) ?? 0) + s);
      });
    }
    return [...scores]
      .sort((a, c) => c[1] - a[1] || a[0] - c[0])
      .slice(0, k)
      .map(([d, score]) => ({ id: this.ids[d] as string, score }));
  }
}
