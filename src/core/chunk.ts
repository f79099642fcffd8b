/**
 * Splits a text longer than the model's context into overlapping chunks that
 * end at sentence ends (。！？； and line breaks, plus their ASCII forms), so
 * a quoted fragment rarely straddles a cut. Offsets are UTF-16 indices into
 * the original text and never split a surrogate pair.
 */

export interface TextChunk {
  start: number;
  end: number;
  text: string;
}

const SENTENCE_END = /[。！？；!?;\n]/;
// Closing marks that belong to the sentence just ended.
const CLOSERS = /[”’」』）)\]】"'\s]/;

/** Offsets just after each sentence end (closing quotes and brackets included). */
function sentenceBoundaries(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (!SENTENCE_END.test(text[i] ?? '')) continue;
    let j = i + 1;
    while (j < text.length && CLOSERS.test(text[j] ?? '') && text[j] !== '\n') j++;
    if (out[out.length - 1] !== j) out.push(j);
    i = j - 1;
  }
  return out;
}

function safeCut(text: string, at: number): number {
  const c = text.charCodeAt(at);
  const p = text.charCodeAt(at - 1);
  if (at > 0 && at < text.length && c >= 0xdc00 && c <= 0xdfff && p >= 0xd800 && p <= 0xdbff) return at - 1;
  return at;
}

/**
 * Chunks of at most `maxChars` UTF-16 units, each after the first starting
 * at a sentence start about `overlapChars` before the previous chunk's end.
 * A text that fits returns one chunk.
 */
export function splitIntoChunks(text: string, maxChars: number, overlapChars: number): TextChunk[] {
  const n = text.length;
  const max = Math.max(16, Math.floor(maxChars));
  const overlap = Math.max(0, Math.min(Math.floor(overlapChars), Math.floor(max / 2)));
  if (n <= max) return [{ start: 0, end: n, text }];
  const bounds = sentenceBoundaries(text);
  const chunks: TextChunk[] = [];
  let start = 0;
  for (;;) {
    const limit = start + max;
    if (limit >= n) {
      chunks.push({ start, end: n, text: text.slice(start) });
      break;
    }
    // Last sentence end in the second half of the window; else a hard cut.
    let end = -1;
    for (let k = bounds.length - 1; k >= 0; k--) {
      const b = bounds[k] ?? 0;
      if (b <= limit && b > start + max / 2) {
        end = b;
        break;
      }
      if (b <= start + max / 2) break;
    }
    if (end < 0) end = safeCut(text, limit);
    chunks.push({ start, end, text: text.slice(start, end) });
    // Next chunk: the first sentence start inside the overlap zone, else a plain overlap.
    const zoneFrom = end - overlap;
    let next = -1;
    for (const b of bounds) {
      if (b >= zoneFrom && b < end) {
        next = b;
        break;
      }
      if (b >= end) break;
    }
    if (next < 0) next = safeCut(text, zoneFrom);
    if (next <= start) next = end; // always make progress
    start = next;
  }
  return chunks;
}
