/**
 * Which characters of a passage match a query, for marking them in the UI:
 * every position where the passage and the query share a character bigram
 * (after NFKC and lower case, as the index sees them), merged into ranges.
 * Offsets are UTF-16 indices into the passage, end exclusive.
 */
function foldChar(c: string): string {
  return c.normalize('NFKC').toLowerCase();
}

export function matchRanges(passage: string, query: string): { start: number; end: number }[] {
  const q = Array.from(query.replace(/\s+/g, ''), foldChar);
  const grams = new Set<string>();
  for (let i = 0; i + 1 < q.length; i++) grams.add((q[i] as string) + (q[i + 1] as string));
  if (grams.size === 0) return [];
  // Code points of the passage with their UTF-16 offsets.
  const cps: { c: string; at: number }[] = [];
  for (let i = 0; i < passage.length; ) {
    const cp = passage.codePointAt(i) as number;
    const len = cp > 0xffff ? 2 : 1;
    cps.push({ c: foldChar(passage.slice(i, i + len)), at: i });
    i += len;
  }
  const marked = new Uint8Array(cps.length);
  for (let i = 0; i + 1 < cps.length; i++) {
    if (grams.has((cps[i] as { c: string }).c + (cps[i + 1] as { c: string }).c)) marked[i] = marked[i + 1] = 1;
  }
  const out: { start: number; end: number }[] = [];
  for (let i = 0; i < cps.length; i++) {
    if (!marked[i]) continue;
    const start = (cps[i] as { at: number }).at;
    while (i + 1 < cps.length && marked[i + 1]) i++;
    const last = cps[i] as { at: number; c: string };
    const end = i + 1 < cps.length ? (cps[i + 1] as { at: number }).at : passage.length;
    out.push({ start, end: Math.max(end, last.at + 1) });
  }
  return out;
}
