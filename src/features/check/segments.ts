/**
 * Splits the checked text into highlight segments once per result, so the
 * view renders one text node or one <mark> per segment and never one element
 * per character (a 200k-character paste stays cheap).
 *
 * Offsets are UTF-16 code-unit indices into the checked text, half-open
 * [start, end). Boundaries that would fall inside a surrogate pair are moved
 * to the start of the pair, so a highlight never cuts an emoji in two.
 * Overlapping spans produce several segments; each segment lists every span
 * covering it, and `text.slice(seg.start, seg.end)` is always the segment's
 * visible text.
 */

export interface HighlightSpan {
  id: string;
  start: number;
  end: number;
}

export interface TextSegment {
  start: number;
  end: number;
  /** Ids of the spans covering this segment, in input order; empty for plain text. */
  ids: readonly string[];
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function splitsPair(text: string, o: number): boolean {
  return o > 0 && o < text.length && isLowSurrogate(text.charCodeAt(o)) && isHighSurrogate(text.charCodeAt(o - 1));
}

/**
 * Clamps `offset` into [0, text.length] and moves it off the middle of a
 * surrogate pair: backwards for a start, forwards for an end, so the span
 * only ever grows to whole code points.
 */
export function snapOffset(text: string, offset: number, edge: 'start' | 'end' = 'start'): number {
  const o = Math.max(0, Math.min(text.length, Math.trunc(offset)));
  if (!splitsPair(text, o)) return o;
  return edge === 'start' ? o - 1 : o + 1;
}

export function buildSegments(text: string, spans: readonly HighlightSpan[]): TextSegment[] {
  const len = text.length;
  if (len === 0) return [];
  interface Edge {
    at: number;
    open: boolean;
    order: number;
    id: string;
  }
  const edges: Edge[] = [];
  spans.forEach((s, order) => {
    const start = snapOffset(text, s.start, 'start');
    const end = snapOffset(text, s.end, 'end');
    if (end <= start) return;
    edges.push({ at: start, open: true, order, id: s.id }, { at: end, open: false, order, id: s.id });
  });
  edges.sort((a, b) => a.at - b.at || Number(a.open) - Number(b.open));

  const segments: TextSegment[] = [];
  const active = new Map<string, number>();
  let cursor = 0;
  const activeIds = (): string[] =>
    [...active.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
  let i = 0;
  while (i < edges.length) {
    const at = edges[i]?.at ?? len;
    if (at > cursor) {
      segments.push({ start: cursor, end: at, ids: activeIds() });
      cursor = at;
    }
    // Apply every edge at this offset before emitting the next segment.
    while (i < edges.length && edges[i]?.at === at) {
      const e = edges[i];
      if (e) {
        if (e.open) active.set(e.id, e.order);
        else active.delete(e.id);
      }
      i++;
    }
  }
  if (cursor < len) segments.push({ start: cursor, end: len, ids: [] });
  return segments;
}
