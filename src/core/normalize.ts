/**
 * Matching normalisation with an offset map back to the original text.
 *
 * Models rarely copy a fragment byte for byte: they swap full-width and
 * half-width forms, drop line breaks, change quote marks or write "..." for
 * "…". Both the text and the quote are normalised the same way; every
 * normalised UTF-16 unit remembers the [start, end) range of the original
 * code point it came from, so a match in normalised space maps back to exact
 * offsets in the original and never splits a surrogate pair.
 *
 * Rules (applied per code point):
 * - NFKC compatibility folding for non-ASCII, non-CJK code points: full-width
 *   letters, digits and punctuation become half-width, "…" becomes "...",
 *   the ideographic space becomes a space, circled digits become digits.
 * - All white space (spaces, tabs, line breaks, U+3000, NBSP) is dropped.
 * - Chinese and Western quote marks (“”‘’「」『』〝〞＂＇) all become `"`.
 * - 。 becomes `.`, 、 stays, dash variants (—–‐－) become `-`, 〜 becomes `~`.
 * - ASCII letters are lower-cased (HbA1c / hba1c).
 */

export interface NormalizedText {
  /** The normalised string. */
  norm: string;
  /** origStart[i]: start offset in the original of the code point that produced norm[i]. */
  origStart: Int32Array;
  /** origEnd[i]: end offset (exclusive) in the original of that code point. */
  origEnd: Int32Array;
}

const QUOTES = new Set(['“', '”', '‘', '’', '「', '」', '『', '』', '〝', '〞', '〟', '„', '‟', '‚', '‛', '"', "'", '＂', '＇', '«', '»', '‹', '›']);
const DASHES = new Set(['—', '–', '‐', '‑', '‒', '―', '−', '－']);
const EXTRA: Readonly<Record<string, string>> = { '。': '.', '｡': '.', '〜': '~', '～': '~', '⋯': '...', '．': '.' };

const foldCache = new Map<number, string>();

/** Normalised form of one code point (possibly empty or several units). */
export function foldCodePoint(cp: number): string {
  // Fast path: ASCII and CJK unified ideographs are the bulk of the input.
  if (cp < 0x80) {
    if (cp === 0x20 || (cp >= 0x09 && cp <= 0x0d)) return '';
    if (cp === 0x22 || cp === 0x27) return '"';
    if (cp >= 0x41 && cp <= 0x5a) return String.fromCharCode(cp + 32);
    return String.fromCharCode(cp);
  }
  if (cp >= 0x4e00 && cp <= 0x9fff) return String.fromCharCode(cp);
  const cached = foldCache.get(cp);
  if (cached !== undefined) return cached;
  const ch = String.fromCodePoint(cp);
  let out: string;
  if (/\s/u.test(ch) || cp === 0x200b || cp === 0xfeff) out = '';
  else if (QUOTES.has(ch)) out = '"';
  else if (DASHES.has(ch)) out = '-';
  else if (EXTRA[ch] !== undefined) out = EXTRA[ch];
  else {
    const k = ch.normalize('NFKC');
    let folded = '';
    for (const c of k) {
      const sub = c.codePointAt(0) ?? 0;
      folded += sub === cp ? c : foldCodePoint(sub);
    }
    out = folded;
  }
  foldCache.set(cp, out);
  return out;
}

/** Normalises `text` and keeps, for each normalised unit, the original code point's range. */
export function normalizeWithMap(text: string): NormalizedText {
  const n = text.length;
  // Upper bound: one code point folds to at most a few units ("…" → "...").
  let cap = n + 16;
  let starts = new Int32Array(cap);
  let ends = new Int32Array(cap);
  const parts: string[] = [];
  let len = 0;
  let i = 0;
  while (i < n) {
    const cp = text.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    const folded = foldCodePoint(cp);
    if (folded.length > 0) {
      if (len + folded.length > cap) {
        cap = Math.max(cap * 2, len + folded.length + 16);
        const ns = new Int32Array(cap);
        ns.set(starts);
        starts = ns;
        const ne = new Int32Array(cap);
        ne.set(ends);
        ends = ne;
      }
      for (let k = 0; k < folded.length; k++) {
        starts[len] = i;
        ends[len] = i + width;
        len++;
      }
      parts.push(folded);
    }
    i += width;
  }
  return { norm: parts.join(''), origStart: starts.subarray(0, len), origEnd: ends.subarray(0, len) };
}

/** The normalised form alone (for comparisons). */
export function normalizeForMatch(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i) ?? 0;
    out += foldCodePoint(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return out;
}

/** Maps a normalised range [a, b) (b > a) back to original offsets. */
export function toOriginalRange(nt: NormalizedText, a: number, b: number): { start: number; end: number } {
  return { start: nt.origStart[a] ?? 0, end: nt.origEnd[b - 1] ?? 0 };
}
