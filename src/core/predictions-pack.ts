/**
 * A read predictions file in a few flat arrays, for handing it from one
 * thread to another (`medfact score` parses predictions in a worker thread
 * while the dataset is imported). Structured-cloning 100k prediction objects
 * costs the receiving thread about as much as parsing the file again; typed
 * arrays move for free and one string per ~16M characters is a plain copy,
 * so unpacking is a cheap walk that rebuilds the same objects, with the same
 * keys in the same order (see toPrediction and readSpan in predictions.ts).
 */
import type { DecodingInfo } from './dataset/types';
import { withLines, type PredictedSpan, type Prediction, type PredictionIssue, type PredictionsReadResult } from './predictions';

/** Bits of a prediction's flags, and of a span's. */
const PREDICTION_BITS = { hasError: 1, score: 2, raw: 4 } as const;
const SPAN_BITS = { type: 1, correction: 2, score: 4 } as const;

/** Characters per string chunk: far below V8's longest string, so packing never fails on a big file. */
const CHUNK_CHARS = 1 << 24;

export interface PackedPredictions {
  count: number;
  /** Per prediction: flags, item-level score, number of spans, file line. */
  flags: Uint8Array;
  score: Float64Array;
  spanCount: Int32Array;
  line: Float64Array;
  /** Per span: offsets (-1 when only the text was given), flags, score. */
  spanStart: Float64Array;
  spanEnd: Float64Array;
  spanFlags: Uint8Array;
  spanScore: Float64Array;
  /**
   * Every string in reading order (per prediction its id, then per span its
   * text, type and correction when present), concatenated into chunks;
   * `ends` holds each piece's end offset in its chunk, and `chunkStarts` the
   * index of the first piece of every chunk after the first.
   */
  chunks: string[];
  ends: Int32Array;
  chunkStarts: number[];
  /** `raw` of the predictions that have one, in order. */
  raw: unknown[];
  issues: PredictionIssue[];
  decoding: DecodingInfo;
  hasLines: boolean;
}

/** The transferable buffers of a packed result (for postMessage's transfer list). */
export function packedBuffers(p: PackedPredictions): ArrayBuffer[] {
  return [p.flags, p.score, p.spanCount, p.line, p.spanStart, p.spanEnd, p.spanFlags, p.spanScore, p.ends].map((a) => a.buffer as ArrayBuffer);
}

/** `chunkChars` is for tests (chunk boundaries); the default suits any file. */
export function packPredictions(result: PredictionsReadResult & { decoding: DecodingInfo }, chunkChars = CHUNK_CHARS): PackedPredictions {
  const { predictions } = result;
  const count = predictions.length;
  let spans = 0;
  let pieces = count;
  for (const p of predictions) {
    spans += p.spans.length;
    for (const s of p.spans) pieces += 1 + (s.type === undefined ? 0 : 1) + (s.correction === undefined ? 0 : 1);
  }
  const packed: PackedPredictions = {
    count,
    flags: new Uint8Array(count),
    score: new Float64Array(count),
    spanCount: new Int32Array(count),
    line: new Float64Array(result.lines ? count : 0),
    spanStart: new Float64Array(spans),
    spanEnd: new Float64Array(spans),
    spanFlags: new Uint8Array(spans),
    spanScore: new Float64Array(spans),
    chunks: [],
    ends: new Int32Array(pieces),
    chunkStarts: [],
    raw: [],
    issues: result.issues,
    decoding: result.decoding,
    hasLines: result.lines !== undefined,
  };
  let parts: string[] = [];
  let chunkLength = 0;
  let piece = 0;
  const add = (text: string): void => {
    if (chunkLength > 0 && chunkLength + text.length > chunkChars) {
      packed.chunks.push(parts.join(''));
      packed.chunkStarts.push(piece);
      parts = [];
      chunkLength = 0;
    }
    parts.push(text);
    chunkLength += text.length;
    packed.ends[piece++] = chunkLength;
  };
  let si = 0;
  for (let i = 0; i < count; i++) {
    const p = predictions[i] as Prediction;
    add(p.id);
    let flags = p.hasError ? PREDICTION_BITS.hasError : 0;
    if (p.score !== undefined) {
      flags |= PREDICTION_BITS.score;
      packed.score[i] = p.score;
    }
    if (p.raw !== undefined) {
      flags |= PREDICTION_BITS.raw;
      packed.raw.push(p.raw);
    }
    packed.flags[i] = flags;
    packed.spanCount[i] = p.spans.length;
    if (result.lines) packed.line[i] = result.lines[i] as number;
    for (const s of p.spans) {
      packed.spanStart[si] = s.start;
      packed.spanEnd[si] = s.end;
      add(s.text);
      let sf = 0;
      if (s.type !== undefined) {
        sf |= SPAN_BITS.type;
        add(s.type);
      }
      if (s.correction !== undefined) {
        sf |= SPAN_BITS.correction;
        add(s.correction);
      }
      if (s.score !== undefined) {
        sf |= SPAN_BITS.score;
        packed.spanScore[si] = s.score;
      }
      packed.spanFlags[si++] = sf;
    }
  }
  packed.chunks.push(parts.join(''));
  return packed;
}

export function unpackPredictions(packed: PackedPredictions): PredictionsReadResult & { decoding: DecodingInfo } {
  const { count, chunks, ends, chunkStarts } = packed;
  let chunk = chunks[0] ?? '';
  let chunkIndex = 0;
  let nextChunkAt = chunkStarts[0] ?? -1;
  let at = 0;
  let piece = 0;
  const next = (): string => {
    if (piece === nextChunkAt) {
      chunkIndex++;
      chunk = chunks[chunkIndex] ?? '';
      nextChunkAt = chunkStarts[chunkIndex] ?? -1;
      at = 0;
    }
    const end = ends[piece++] as number;
    const text = chunk.slice(at, end);
    at = end;
    return text;
  };
  const predictions: Prediction[] = [];
  let si = 0;
  let rawAt = 0;
  for (let i = 0; i < count; i++) {
    const id = next();
    const flags = packed.flags[i] as number;
    const n = packed.spanCount[i] as number;
    const spans: PredictedSpan[] = [];
    for (let j = 0; j < n; j++, si++) {
      const span: PredictedSpan = { start: packed.spanStart[si] as number, end: packed.spanEnd[si] as number, text: next() };
      const sf = packed.spanFlags[si] as number;
      if (sf & SPAN_BITS.type) span.type = next();
      if (sf & SPAN_BITS.correction) span.correction = next();
      if (sf & SPAN_BITS.score) span.score = packed.spanScore[si] as number;
      spans.push(span);
    }
    const p: Prediction = { id, hasError: (flags & PREDICTION_BITS.hasError) !== 0, spans };
    if (flags & PREDICTION_BITS.score) p.score = packed.score[i] as number;
    if (flags & PREDICTION_BITS.raw) p.raw = packed.raw[rawAt++];
    predictions.push(p);
  }
  const result = { predictions, issues: packed.issues, decoding: packed.decoding };
  return packed.hasLines ? withLines(result, Array.from(packed.line)) : result;
}
