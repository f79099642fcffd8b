/**
 * Chinese-aware tokenizer for the reference library's lexical index.
 * Two token streams, kept apart so each can be weighted on its own:
 *  - grams: every pair of adjacent non-space characters (a one-character
 *    text stands for itself). This is exactly what plain bigram BM25 sees,
 *    so the library never knows less than that baseline; bigrams are also
 *    robust to segmentation mistakes (the ICU segmenter splits 阿莫西林 into
 *    阿|莫|西林).
 *  - words: Intl.Segmenter('zh', word) words of two or more characters that
 *    contain Han, plus whole Latin/digit runs ("hba1c", "0.5g", "egfr"),
 *    prefixed with WORD_MARK so they never collide with grams.
 * Text is first normalised (NFKC folds full-width forms to half-width, then
 * lower case), so "ＨｂＡ１ｃ" and "hba1c" match. Intl.Segmenter is built into
 * Chromium and Node, so the tokenizer adds nothing to the bundle.
 */

/** Bump when tokens change: a persisted index with another version is rebuilt. */
export const TOKENIZER_VERSION = 'zh-bigram-word-v2';

/** Prefix of word tokens (never produced by the gram stream). */
export const WORD_MARK = '_';

const HAN = /\p{Script=Han}/u;
// Latin/digit runs (decimals kept whole), indexed whole as words.
const ALNUM_RUN = /(?:(?!\p{Script=Han})[\p{L}\p{N}])+(?:\.\p{N}+)*/gu;
const SPACE = /\s+/gu;

let segmenter: Intl.Segmenter | undefined;
const getSegmenter = (): Intl.Segmenter => (segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' }));

/** NFKC + lower case: full-width letters, digits and punctuation become half-width. */
export function normalizeForSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** Gram tokens of already-normalised text: adjacent non-space character pairs. */
export function gramTokens(normalized: string): string[] {
  const chars = Array.from(normalized.replace(SPACE, ''));
  if (chars.length === 1) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push((chars[i] as string) + (chars[i + 1] as string));
  return out;
}

/** Word tokens (marked) of already-normalised text: segmenter words with Han (2+ characters) and Latin/digit runs. */
export function wordTokens(normalized: string): string[] {
  const out: string[] = [];
  for (const m of normalized.matchAll(ALNUM_RUN)) out.push(WORD_MARK + m[0]);
  segmenterWords(normalized, out);
  return out;
}

/** Appends the marked segmenter words with Han of two or more characters. */
function segmenterWords(normalized: string, out: string[]): void {
  for (const s of getSegmenter().segment(normalized)) {
    if (!s.isWordLike) continue;
    const w = s.segment;
    if (w.length < 2 || !HAN.test(w)) continue;
    out.push(WORD_MARK + w);
  }
}

/** Both streams of raw text (used for queries). */
export function tokenize(text: string): string[] {
  const n = normalizeForSearch(text);
  return [...gramTokens(n), ...wordTokens(n)];
}

// After 。 or a line end ICU always breaks (UAX #29 WB3a/WB999), unless a combining mark or format character follows (WB4).
const ATTACHES = /[\p{M}\p{Cf}]/u;

/** Sentences of normalised text where word segmentation may restart: after 。 and after line ends. */
function segmentationPieces(normalized: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < normalized.length; i++) {
    const c = normalized.charCodeAt(i);
    if (c !== 0x3002 && c !== 0x0a) continue;
    if (i + 1 < normalized.length && ATTACHES.test(normalized[i + 1] as string)) continue;
    out.push(normalized.slice(start, i + 1));
    start = i + 1;
  }
  if (start < normalized.length) out.push(start === 0 ? normalized : normalized.slice(start));
  return out;
}

interface PieceWords {
  runs: readonly string[];
  words: readonly string[];
}

/**
 * wordTokens() sentence by sentence, remembering each sentence's tokens:
 * every passage of a document starts with the document's title line, and
 * repeats the previous passage's last sentence, so a library import
 * segments each of those once (Intl.Segmenter is the largest cost of an
 * index build). Gives exactly wordTokens()'s tokens in the same order
 * (tested): ICU restarts at those boundaries anyway. Bounded: it forgets
 * everything once it holds `max` sentences.
 */
export class WordTokenCache {
  private readonly pieces = new Map<string, PieceWords>();

  constructor(private readonly max = 4096) {}

  wordTokens(normalized: string): string[] {
    const parts = segmentationPieces(normalized).map((p) => this.piece(p));
    const out: string[] = [];
    for (const p of parts) for (const w of p.runs) out.push(w);
    for (const p of parts) for (const w of p.words) out.push(w);
    return out;
  }

  private piece(text: string): PieceWords {
    let found = this.pieces.get(text);
    if (found) return found;
    const runs: string[] = [];
    const words: string[] = [];
    for (const m of text.matchAll(ALNUM_RUN)) runs.push(WORD_MARK + m[0]);
    segmenterWords(text, words);
    found = { runs, words };
    if (this.pieces.size >= this.max) this.pieces.clear();
    this.pieces.set(text, found);
    return found;
  }
}
