/**
 * Predictions file format (JSONL, one line per item):
 *   { "id": "...", "has_error": true, "spans": [{ "start", "end", "text", "type", "correction", "score" }], "score": 0.93, "raw": ... }
 * A line `{ "id", "status": "failed", "error": { "code", "message" } }` (written by
 * `medfact run` for an item that failed every attempt) is reported as an issue, not scored.
 * Offsets are UTF-16 code units into the item text, half-open. `score` (item
 * level, optional) is the reward score used by threshold sweeps; without it
 * the highest span score stands in.
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
}

export interface PredictionsReadResult {
  predictions: Prediction[];
  /** Lines that could not be read (skipped) or were read with repairs. */
  issues: PredictionIssue[];
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

/** Reads one parsed JSON value as a prediction; null with a reason when it cannot. */
export function toPrediction(value: unknown, onIssue: (message: string) => void): Prediction | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    onIssue('not a JSON object');
    return null;
  }
  const o = value as Record<string, unknown>;
  const id = str(o.id);
  if (id === undefined || id === '') {
    onIssue('missing "id"');
    return null;
  }
  if (o.status === 'failed') {
    // `medfact run` records an item that failed every attempt; it has no prediction to score.
    const err = o.error as { code?: unknown; message?: unknown } | undefined;
    const reason = typeof err?.message === 'string' ? `: ${typeof err.code === 'string' ? `${err.code} ` : ''}${err.message}` : '';
    onIssue(`item ${id} failed in the run${reason}; not scored`);
    return null;
  }
  const rawSpans = Array.isArray(o.spans) ? o.spans : Array.isArray(o.errors) ? o.errors : [];
  const spans: PredictedSpan[] = [];
  rawSpans.forEach((s, i) => {
    if (typeof s !== 'object' || s === null) {
      onIssue(`span ${i + 1} is not an object; skipped`);
      return;
    }
    const r = s as Record<string, unknown>;
    const start = num(r.start);
    const end = num(r.end);
    const text = str(r.text) ?? '';
    const span: PredictedSpan =
      start !== undefined && end !== undefined && Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end >= start
        ? { start, end, text }
        : { start: -1, end: -1, text };
    if (span.start < 0 && text === '') {
      onIssue(`span ${i + 1} has neither valid offsets nor text; skipped`);
      return;
    }
    const type = str(r.type);
    const correction = str(r.correction);
    const score = num(r.score);
    if (type !== undefined) span.type = type;
    if (correction !== undefined) span.correction = correction;
    if (score !== undefined) span.score = score;
    spans.push(span);
  });
  let hasError = bool(o.has_error ?? o.hasError ?? o.label);
  if (hasError === undefined) {
    hasError = spans.length > 0;
    onIssue(`missing or unreadable "has_error"; taken as ${hasError} from the spans`);
  }
  const p: Prediction = { id, hasError, spans };
  const score = num(o.score);
  if (score !== undefined) p.score = score;
  if (o.raw !== undefined) p.raw = o.raw;
  return p;
}

/** Parses JSONL text tolerantly: bad lines are reported with their line numbers and skipped. */
export function parsePredictionsJsonl(text: string): PredictionsReadResult {
  const predictions: Prediction[] = [];
  const issues: PredictionIssue[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) parseLine(lines[i] ?? '', i + 1, predictions, issues);
  return { predictions, issues };
}

function parseLine(raw: string, line: number, predictions: Prediction[], issues: PredictionIssue[]): void {
  const s = raw.replace(/^\uFEFF/, '').trim();
  if (s === '') return;
  let value: unknown;
  try {
    value = JSON.parse(s);
  } catch {
    issues.push({ line, message: 'invalid JSON; line skipped' });
    return;
  }
  const p = toPrediction(value, (message) => issues.push({ line, message }));
  if (p) predictions.push(p);
}

/** Streams a predictions file (Blob, bytes, chunks or string). */
export async function readPredictions(source: ByteSource, signal?: AbortSignal): Promise<PredictionsReadResult & { decoding: DecodingInfo }> {
  const decoding: DecodingInfo = { encoding: 'utf-8', bom: false, lossy: false, note: '' };
  const predictions: Prediction[] = [];
  const issues: PredictionIssue[] = [];
  let pending = '';
  let line = 0;
  for await (const chunk of decodeText(source, decoding, signal ? { signal } : {})) {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const p of parts) parseLine(p, ++line, predictions, issues);
  }
  if (pending !== '') parseLine(pending, line + 1, predictions, issues);
  return { predictions, issues, decoding };
}

/** One JSONL line per prediction, in the documented wire format. */
export function predictionToJson(p: Prediction): string {
  const out: Record<string, unknown> = {
    id: p.id,
    has_error: p.hasError,
    spans: p.spans.map((s) => ({
      start: s.start,
      end: s.end,
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
