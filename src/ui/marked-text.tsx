/**
 * A passage with the characters that match a query marked (<mark>), for
 * search results and cited evidence.
 */
import { matchRanges } from '../core/evidence';

export function MarkedText({ text, query }: { text: string; query: string }) {
  const ranges = matchRanges(text, query);
  const parts: (string | { m: string })[] = [];
  let at = 0;
  for (const r of ranges) {
    if (r.start > at) parts.push(text.slice(at, r.start));
    parts.push({ m: text.slice(r.start, r.end) });
    at = r.end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return (
    <>
      {parts.map((p, i) => (typeof p === 'string' ? <span key={i}>{p}</span> : <mark key={i}>{p.m}</mark>))}
    </>
  );
}
