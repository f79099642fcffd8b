/**
 * Chinese-aware tokenizer for the reference library's lexical index.
 * Two token streams, kept apart so each can be weighted on its own:
 *  - grams: character bigrams over runs of Han characters (a lone Han
 *    character stands for itself) plus whole Latin/digit runs ("hba1c",
 *    "0.5g"). Bigrams make matching robust to segmentation mistakes (the
 *    ICU segmenter splits 阿莫西林 into 阿|莫|西林).
 *  - words: Intl.Segmenter('zh', word) words of two or more characters that
 *    contain Han, prefixed with WORD_MARK so they never collide with grams.
 * Text is first normalised (NFKC folds full-width forms to half-width, then
 * lower case), so "ＨｂＡ１ｃ" and "hba1c" match. Intl.Segmenter is built into
 * Chromium and Node, so the tokenizer adds nothing to the bundle.
 */

/** Bump when tokens change: a persisted index with another version is rebuilt. */
export const TOKENIZER_VERSION = 'zh-bigram-word-v1';

/** Prefix of word tokens (never produced by the gram stream). */
export const WORD_MARK = '_';

const HAN = /\p{Script=Han}/u;
// Runs of Han characters, or of other letters/digits (decimals kept whole).
const RUN = /\p{Script=Han}+|[\p{L}\p{N}]+(?:\.\p{N}+)*/gu;
const LETTERS_DIGITS = /\p{L}+|\p{N}+(?:\.\p{N}+)*/gu;

let segmenter: Intl.Segmenter | undefined;
const getSegmenter = (): Intl.Segmenter => (segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' }));

/** NFKC + lower case: full-width letters, digits and punctuation become half-width. */
export function normalizeForSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

function pushGrams(run: string, out: string[]): void {
  if (HAN.test(run[0] ?? '')) {
    const chars = Array.from(run);
    if (chars.length === 1) {
      out.push(run);
      return;
    }
    for (let i = 0; i + 1 < chars.length; i++) out.push((chars[i] as string) + (chars[i + 1] as string));
    return;
  }
  out.push(run);
  // "500mg" also matches "500 mg": add the letter and digit parts of a mixed run.
  const parts = run.match(LETTERS_DIGITS);
  if (parts && parts.length > 1) for (const p of parts) out.push(p);
}

/** Gram tokens (bigrams + Latin/digit runs) of already-normalised text. */
export function gramTokens(normalized: string): string[] {
  const out: string[] = [];
  for (const m of normalized.matchAll(RUN)) pushGrams(m[0], out);
  return out;
}

/** Word tokens (marked) of already-normalised text: segmenter words with Han, 2+ characters. */
export function wordTokens(normalized: string): string[] {
  const out: string[] = [];
  for (const s of getSegmenter().segment(normalized)) {
    if (!s.isWordLike) continue;
    const w = s.segment;
    if (w.length < 2 || !HAN.test(w)) continue;
    out.push(WORD_MARK + w);
  }
  return out;
}

/** Both streams of raw text (used for queries). */
export function tokenize(text: string): string[] {
  const n = normalizeForSearch(text);
  return [...gramTokens(n), ...wordTokens(n)];
}
