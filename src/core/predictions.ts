/**
 * Predictions file format (JSONL, one line per item):
 *   { "id": "...", "has_error": true, "spans": [{ "start", "end", "text", "type", "correction", "score" }], "score": 0.93, "raw": ... }
 * A line `{ "id", "status": "failed", "error": { "code", "message" } }` (written by
 * `medfact run` for an item that failed every attempt) is reported as an issue, not scored.
 * Offsets are UTF-16 code units into the item text, half-open. `score` (item
 * level, optional) is the reward score used by threshold sweeps; without it
 * the highest span score stands in.
 *
 * Strictness (issue 10): a line whose `spans` is malformed (not an array, a
 * span that is not an object, offsets that are not whole numbers, negative,
 * reversed or empty) is an error for that line: the line is skipped and
 * reported with its number, never silently read as "no spans". Ids are
 * trimmed, as dataset ids are. Offsets past the end of the item text can
 * only be checked against the dataset: see checkPredictionsAgainst in
 * metrics/coverage.ts.
 */
import { decodeText, type ByteSource } from './dataset/byte-source';
import type { DecodingInfo } from './dataset/types';

export interface PredictedSpan {
  /** -1 when only the text was given; the scorer then places it in the item text. */
  start: number;
  end: number;
  text: string;
  type?: string;
  correction?: string;
  score?: number;
}

export interface Prediction {
  id: string;
  hasError: boolean;
  spans: PredictedSpan[];
  /** Item-level reward score in [0, 1] when the run produced one. */
  score?: number;
  raw?: unknown;
}

export interface PredictionIssue {
  line: number;
  message: string;
  /** True when the whole line was skipped (an error), false or absent for a repair. */
  skipped?: boolean;
}

export interface PredictionsReadResult {
  predictions: Prediction[];
  /** Lines that could not be read (skipped) or were read with repairs. */
  issues: PredictionIssue[];
  /**
   * The 1-based line of each prediction, in the same order. Not enumerable:
   * the result keeps its compared shape, and a parallel array costs nothing
   * per prediction (a WeakMap of 100k entries cost 40% of the parse).
   */
  lines?: number[];
}

/** Attaches the line numbers to a read result without changing its enumerable shape. */
export function withLines<T extends { predictions: Prediction[]; issues: PredictionIssue[] }>(result: T, lines: number[]): T & { lines: number[] } {
  Object.defineProperty(result, 'lines', { value: lines, enumerable: false, writable: true, configurable: true });
  return result as T & { lines: number[] };
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === '1' || v === 'true' || v === 'yes') return true;
  if (v === 0 || v === '0' || v === 'false' || v === 'no') return false;
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Thrown inside toPrediction for a line that cannot be scored as written. */
class LineError extends Error {}

function offset(v: unknown): number | null | undefined {
  if (v === undefined || v === null) return undefined;
  const n = num(v);
  return n !== undefined && Number.isInteger(n) ? n : null;
}

function readSpan(s: unknown, i: number): PredictedSpan {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) throw new LineError(`span ${i + 1} is not an object with start, end and text`);
  const r = s as Record<string, unknown>;
  const start = offset(r.start);
  const end = offset(r.end);
  const text = str(r.text) ?? '';
  let at: number;
  let to: number;
  // No offsets, or the pair -1/-1 that our own exports used for a quote the model gave but the text does not hold.
  if ((start === undefined && end === undefined) || (start === -1 && end === -1)) {
    if (text === '') throw new LineError(`span ${i + 1} has neither offsets nor text`);
    at = -1;
    to = -1;
  } else {
    // Written out only for a message (it was ~10 ms per 100k lines when built for every span).
    const shown = (): string => `[${JSON.stringify(r.start ?? null)}, ${JSON.stringify(r.end ?? null)})`;
    if (start === undefined || end === undefined) throw new LineError(`span ${i + 1} has only one of "start" and "end" ${shown()}; give both or neither`);
    if (start === null || end === null) throw new LineError(`span ${i + 1} offsets ${shown()} are not whole numbers`);
    if (start < 0) throw new LineError(`span ${i + 1} offsets ${shown()} are negative`);
    if (end < start) throw new LineError(`span ${i + 1} offsets ${shown()} are reversed (end before start)`);
    if (end === start) throw new LineError(`span ${i + 1} offsets ${shown()} select nothing (end equals start)`);
    at = start;
    to = end;
  }
  const type = str(r.type);
  const correction = str(r.correction);
  const score = num(r.score);
  // The usual span (a score, no type or correction) is made in one literal: a property added later lives in a
  // separate backing store, one more heap object per span for the scavenger to copy (issue 15). Same keys, same order.
  if (type === undefined && correction === undefined && score !== undefined) return { start: at, end: to, text, score };
  const span: PredictedSpan = { start: at, end: to, text };
  if (type !== undefined) span.type = type;
  if (correction !== undefined) span.correction = correction;
  if (score !== undefined) span.score = score;
  return span;
}

/** Reads one parsed JSON value as a prediction; null with a reason when it cannot. */
export function toPrediction(value: unknown, onIssue: (message: string, skipped?: boolean) => void): Prediction | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    onIssue('not a JSON object; line skipped', true);
    return null;
  }
  const o = value as Record<string, unknown>;
  const id = str(o.id)?.trim();
  if (id === undefined || id === '') {
    onIssue('missing "id"; line skipped', true);
    return null;
  }
  if (o.status === 'failed') {
    // `medfact run` records an item that failed every attempt; it has no prediction to score.
    const err = o.error as { code?: unknown; message?: unknown } | undefined;
    const reason = typeof err?.message === 'string' ? `: ${typeof err.code === 'string' ? `${err.code} ` : ''}${err.message}` : '';
    onIssue(`item ${id} failed in the run${reason}; not scored (counts as missing)`, true);
    return null;
  }
  // `spans` is checked strictly; the older alias `errors` is used only when it is an array (other values may mean a count).
  const key = o.spans !== undefined && o.spans !== null ? 'spans' : 'errors';
  const given = key === 'spans' || Array.isArray(o.errors) ? o[key] : undefined;
  let spans: PredictedSpan[] = [];
  try {
    if (given !== undefined && given !== null) {
      if (!Array.isArray(given)) throw new LineError(`"${key}" must be an array of {start, end, text}, not ${typeof given === 'object' ? 'an object' : `a ${typeof given}`}`);
      // A loop rather than forEach's closure; holes are skipped as forEach skips them.
      // One span (the usual case) as a literal: a push onto [] reserves 17 slots, kept as long as the prediction (issue 15).
      if (given.length === 1 && 0 in given) spans = [readSpan(given[0], 0)];
      else for (let i = 0; i < given.length; i++) if (i in given) spans.push(readSpan(given[i], i));
    }
  } catch (e) {
    if (!(e instanceof LineError)) throw e;
    onIssue(`id ${id}: ${e.message}; line skipped (the item counts as having no prediction)`, true);
    return null;
  }
  let hasError = bool(o.has_error ?? o.hasError ?? o.label);
  if (hasError === undefined) {
    hasError = spans.length > 0;
    onIssue(`missing or unreadable "has_error"; taken as ${hasError} from the spans`);
  }
  const score = num(o.score);
  // One literal with the score (see readSpan): no backing store added after the object is made.
  const p: Prediction = score === undefined ? { id, hasError, spans } : { id, hasError, spans, score };
  if (o.raw !== undefined) p.raw = o.raw;
  return p;
}

/** Parses JSONL text tolerantly: bad lines are reported with their line numbers and skipped. */
export function parsePredictionsJsonl(text: string): PredictionsReadResult {
  const predictions: Prediction[] = [];
  const issues: PredictionIssue[] = [];
  const at: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) parseLine(lines[i] ?? '', i + 1, predictions, issues, at);
  return withLines({ predictions, issues }, at);
}

function parseLine(raw: string, line: number, predictions: Prediction[], issues: PredictionIssue[], at: number[]): void {
  const s = (raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw).trim();
  if (s === '') return;
  let value: unknown;
  try {
    value = JSON.parse(s);
  } catch {
    issues.push({ line, message: 'invalid JSON; line skipped', skipped: true });
    return;
  }
  const p = toPrediction(value, (message, skipped) => issues.push(skipped ? { line, message, skipped } : { line, message }));
  if (p) {
    predictions.push(p);
    at.push(line);
  }
}

/** Streams a predictions file (Blob, bytes, chunks or string). */
export async function readPredictions(source: ByteSource, signal?: AbortSignal): Promise<PredictionsReadResult & { decoding: DecodingInfo }> {
  const decoding: DecodingInfo = { encoding: 'utf-8', bom: false, lossy: false, note: '' };
  const predictions: Prediction[] = [];
  const issues: PredictionIssue[] = [];
  const at: number[] = [];
  let pending = '';
  let line = 0;
  for await (const chunk of decodeText(source, decoding, signal ? { signal } : {})) {
    // Lines are cut out of the chunk; only a line that spans two chunks is joined (as in readJsonl).
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      parseLine(start === 0 && pending !== '' ? pending + chunk.slice(0, nl) : chunk.slice(start, nl), ++line, predictions, issues, at);
      if (start === 0) pending = '';
      start = nl + 1;
    }
    pending = start === 0 ? pending + chunk : chunk.slice(start);
  }
  if (pending !== '') parseLine(pending, line + 1, predictions, issues, at);
  return withLines({ predictions, issues, decoding }, at);
}

/** One JSONL line per prediction, in the documented wire format. */
export function predictionToJson(p: Prediction): string {
  const out: Record<string, unknown> = {
    id: p.id,
    has_error: p.hasError,
    spans: p.spans.map((s) => ({
      // An unplaced span is written without offsets (null), never as negative numbers.
      start: s.start < 0 ? null : s.start,
      end: s.start < 0 ? null : s.end,
      text: s.text,
      type: s.type ?? null,
      correction: s.correction ?? null,
      score: s.score ?? null,
    })),
  };
  if (p.score !== undefined) out.score = p.score;
  if (p.raw !== undefined) out.raw = p.raw;
  return JSON.stringify(out);
}

export function writePredictionsJsonl(predictions: Iterable<Prediction>): string {
  let out = '';
  for (const p of predictions) out += `${predictionToJson(p)}\n`;
  return out;
}
