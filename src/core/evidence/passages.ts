/**
 * Sentence-aware passages for the reference library: about 150–400 UTF-16
 * units each, cut at sentence ends (。！？；!?; and line breaks), with the
 * previous passage's last sentence repeated when it is short (a small
 * overlap, so a fact split across a cut is still found whole). A sentence
 * longer than the maximum is cut at a comma, else hard, never inside a
 * surrogate pair. PDF pages are chunked separately so each passage has one
 * page. Offsets point into the document text, so the UI can show context.
 */
import type { DocumentText, Passage } from './types';

export interface PassageOptions {
  /** Stop adding sentences once a passage reaches this length. */
  targetChars?: number;
  /** Never exceed this (except for nothing: long sentences are cut). */
  maxChars?: number;
  /** The last sentence is repeated in the next passage when at most this long. */
  overlapChars?: number;
}

export const PASSAGE_DEFAULTS: Required<PassageOptions> = { targetChars: 300, maxChars: 400, overlapChars: 80 };

const SENTENCE_END = /[。！？；!?;\n]/;
const CLOSERS = /[”’」』）)\]】"']/;
const SOFT_CUT = /[，,、：:]/;

interface Span {
  start: number;
  end: number;
}

function isLowSurrogateAt(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Sentence spans of text[from, to), whitespace trimmed, empty ones dropped. */
export function sentenceSpans(text: string, from = 0, to = text.length): Span[] {
  const out: Span[] = [];
  let s = from;
  const push = (a: number, b: number): void => {
    while (a < b && /\s/.test(text[a] ?? '')) a++;
    while (b > a && /\s/.test(text[b - 1] ?? '')) b--;
    if (b > a) out.push({ start: a, end: b });
  };
  for (let i = from; i < to; i++) {
    if (!SENTENCE_END.test(text[i] ?? '')) continue;
    let j = i + 1;
    while (j < to && CLOSERS.test(text[j] ?? '')) j++;
    push(s, j);
    s = j;
    i = j - 1;
  }
  push(s, to);
  return out;
}

/** Cuts a span longer than max into pieces of at most max, preferring a comma in the second half. */
function cutLong(text: string, span: Span, max: number): Span[] {
  const out: Span[] = [];
  let a = span.start;
  while (span.end - a > max) {
    let cut = -1;
    for (let k = a + max; k > a + max / 2; k--) {
      if (SOFT_CUT.test(text[k - 1] ?? '')) {
        cut = k;
        break;
      }
    }
    if (cut < 0) cut = a + max;
    if (isLowSurrogateAt(text, cut)) cut--;
    out.push({ start: a, end: cut });
    a = cut;
  }
  if (span.end > a) out.push({ start: a, end: span.end });
  return out;
}

function chunkRange(text: string, from: number, to: number, o: Required<PassageOptions>): Span[] {
  const sentences = sentenceSpans(text, from, to).flatMap((s) => cutLong(text, s, o.maxChars));
  const out: Span[] = [];
  let i = 0;
  while (i < sentences.length) {
    const first = sentences[i] as Span;
    let end = first.end;
    let j = i + 1;
    while (j < sentences.length && end - first.start < o.targetChars) {
      const next = sentences[j] as Span;
      if (next.end - first.start > o.maxChars) break;
      end = next.end;
      j++;
    }
    out.push({ start: first.start, end });
    if (j >= sentences.length) break;
    const last = sentences[j - 1] as Span;
    i = j - 1 > i && last.end - last.start <= o.overlapChars ? j - 1 : j;
  }
  return out;
}

/** Passages of one document, ids `${docId}:${n}` in text order. */
export function chunkDocument(docId: string, doc: DocumentText, options: PassageOptions = {}): Passage[] {
  const o = { ...PASSAGE_DEFAULTS, ...options };
  const text = doc.text;
  const ranges: { page: number | null; from: number; to: number }[] = [];
  const pages = doc.pages ?? [];
  if (pages.length === 0) ranges.push({ page: null, from: 0, to: text.length });
  else {
    pages.forEach((p, k) => ranges.push({ page: p.page, from: p.start, to: pages[k + 1]?.start ?? text.length }));
  }
  const out: Passage[] = [];
  for (const r of ranges) {
    for (const span of chunkRange(text, r.from, r.to, o)) {
      out.push({ id: `${docId}:${out.length}`, docId, page: r.page, start: span.start, end: span.end, text: text.slice(span.start, span.end) });
    }
  }
  return out;
}
