/**
 * Row readers per format. Each yields batches of raw rows (values keyed by
 * column name) or per-row parse failures, so the importer can convert,
 * report progress and yield to the event loop between batches.
 */
import type Papa from 'papaparse';
import type { AsyncBuffer } from 'hyparquet';
import { MedfactError, throwIfAborted } from '../../protocol/errors';
import { isBlobLike, readAllBytes, type ByteSource } from './byte-source';
import { JsonRecordSplitter } from './json-records';
import type { DatasetFormat } from './types';

export type RawRow =
  | { row: number; line?: number; values: Record<string, unknown> }
  | { row: number; line?: number; error: { reason: 'malformed_row' | 'not_an_object'; message: string } };

export interface RowBatch {
  rows: RawRow[];
  /** Column names known so far (in order of first appearance). */
  columns: string[];
  /** Set once a JSON wrapper key is known. */
  jsonKey?: string;
  /** Rows read so far in the file (for parquet progress). */
  fraction?: number;
}

// The CSV and Parquet libraries load on first use: a JSONL import (and the CLI's start-up) never pays for them.
let papaparse: Promise<typeof Papa> | undefined;
const loadPapaparse = (): Promise<typeof Papa> => (papaparse ??= import('papaparse').then((m) => m.default));

/** Rows per batch before the importer gets control back. */
export const BATCH_ROWS = 2000;

/** Picks the format from the file name, else from the first bytes. */
export function detectFormat(fileName: string | undefined, head: Uint8Array): DatasetFormat {
  const ext = fileName?.toLowerCase().match(/\.([a-z0-9]+)(?:\.gz)?$/)?.[1];
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'json') return 'json';
  if (ext === 'csv') return 'csv';
  if (ext === 'tsv' || ext === 'tab') return 'tsv';
  if (ext === 'parquet' || ext === 'pq') return 'parquet';
  if (head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31) return 'parquet'; // "PAR1"
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 16384)).replace(/^\uFEFF/, '');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) return 'json';
  if (trimmed.startsWith('{')) {
    const nl = trimmed.indexOf('\n');
    const firstLine = nl < 0 ? trimmed : trimmed.slice(0, nl);
    try {
      JSON.parse(firstLine);
      return nl < 0 || trimmed.slice(nl).trim() === '' ? 'json' : 'jsonl';
    } catch {
      return 'json';
    }
  }
  const firstLine = text.split(/\r?\n|\r/, 1)[0] ?? '';
  const tabs = firstLine.split('\t').length;
  const commas = firstLine.split(',').length;
  return tabs > commas ? 'tsv' : 'csv';
}

/** Line breaks (LF, CRLF or a lone CR) in s[from, to); `hasCR` false allows a fast LF-only count. */
function lineBreakCount(s: string, from: number, to: number, hasCR: boolean): number {
  let n = 0;
  if (!hasCR) {
    // indexOf scans natively, an order of magnitude faster than a charCodeAt loop over a 100 MB file.
    for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++;
    return n;
  }
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0a) n++;
    else if (c === 0x0d && s.charCodeAt(i + 1) !== 0x0a) n++;
  }
  return n;
}

function guessNewline(s: string, final: boolean): '\r\n' | '\n' | '\r' | undefined {
  const r = s.indexOf('\r');
  const n = s.indexOf('\n');
  if (r < 0 && n < 0) return final ? '\n' : undefined;
  if (r >= 0 && (n < 0 || r < n)) {
    if (r === s.length - 1 && !final) return undefined;
    return s[r + 1] === '\n' ? '\r\n' : '\r';
  }
  return '\n';
}

function uniqueHeader(fields: string[]): { columns: string[]; renamed: boolean } {
  const seen = new Map<string, number>();
  let renamed = false;
  const columns = fields.map((f, i) => {
    let name = (i === 0 ? f.replace(/^\uFEFF/, '') : f).trim();
    if (name === '') name = `column_${i + 1}`;
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    if (count > 0) {
      renamed = true;
      return `${name}_${count + 1}`;
    }
    return name;
  });
  return { columns, renamed };
}

interface ParsedRow {
  fields: string[];
  errors: { code: string; message: string }[];
  end: number;
}

/** CSV/TSV with papaparse's low-level parser fed chunk by chunk (quoted fields may span chunks and lines). */
export async function* readDelimited(text: AsyncIterable<string>, delimiter: ',' | '\t', notes: string[]): AsyncGenerator<RowBatch> {
  let pending = '';
  let lineAtPending = 1;
  let header: string[] | undefined;
  let rowNo = 0;
  let parser: Papa.Parser | undefined;
  let collected: ParsedRow[] = [];
  const { Parser } = await loadPapaparse();

  const makeParser = (newline: string): Papa.Parser =>
    new Parser({
      delimiter,
      newline: newline as Papa.ParseConfig['newline'],
      quoteChar: '"',
      step: (r: Papa.ParseStepResult<string[]>) => {
        const fields = (r.data as unknown as string[][])[0] ?? [];
        collected.push({ fields, errors: r.errors.map((e) => ({ code: e.code, message: e.message })), end: r.meta.cursor });
      },
    } as Papa.ParseConfig);

  const consume = (final: boolean): RowBatch | undefined => {
    if (!parser) {
      const nl = guessNewline(pending, final);
      if (!nl) return undefined;
      parser = makeParser(nl);
    }
    collected = [];
    parser.parse(pending, 0, !final);
    const rows: RawRow[] = [];
    let prevEnd = 0;
    let line = lineAtPending;
    const hasCR = pending.includes('\r');
    for (const parsed of collected) {
      const startLine = line;
      line += lineBreakCount(pending, prevEnd, parsed.end, hasCR);
      prevEnd = parsed.end;
      const blank = parsed.fields.length === 1 && parsed.fields[0]?.trim() === '' && parsed.errors.length === 0;
      if (blank) continue;
      if (!header) {
        const h = uniqueHeader(parsed.fields);
        header = h.columns;
        if (h.renamed) notes.push('Some column names were repeated; later copies were renamed with a suffix (_2, _3, …).');
        continue;
      }
      rowNo++;
      if (parsed.errors.length > 0) {
        const e = parsed.errors[0];
        rows.push({ row: rowNo, line: startLine, error: { reason: 'malformed_row', message: `${e?.message ?? 'malformed row'} (${e?.code ?? 'parse error'}); check the quotes in this row.` } });
        continue;
      }
      const f = parsed.fields;
      if (f.length > header.length && f.slice(header.length).some((v) => v.trim() !== '')) {
        rows.push({ row: rowNo, line: startLine, error: { reason: 'malformed_row', message: `This row has ${f.length} fields but the header has ${header.length}; check delimiters and quotes.` } });
        continue;
      }
      const values: Record<string, unknown> = {};
      for (let i = 0; i < header.length; i++) values[header[i] as string] = f[i] ?? '';
      rows.push({ row: rowNo, line: startLine, values });
    }
    if (!final) {
      lineAtPending = line;
      pending = pending.slice(prevEnd);
    }
    return { rows, columns: header ?? [] };
  };

  for await (const chunk of text) {
    pending += chunk;
    const batch = consume(false);
    if (batch && batch.rows.length > 0) yield batch;
  }
  const last = consume(true);
  if (last) yield last;
  if (!header) throw new MedfactError('BAD_INPUT', 'The file is empty: no header row was found.');
}

function addColumns(columns: string[], known: Set<string>, value: Record<string, unknown>): void {
  for (const k of Object.keys(value)) {
    if (!known.has(k)) {
      known.add(k);
      columns.push(k);
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON Lines: one record a line; blank lines are skipped; a bad line is a rejected row. */
export async function* readJsonl(text: AsyncIterable<string>): AsyncGenerator<RowBatch> {
  let pending = '';
  let line = 0;
  let rowNo = 0;
  const columns: string[] = [];
  const known = new Set<string>();
  const handle = (raw: string, rows: RawRow[]): void => {
    line++;
    // trim() also drops a byte-order mark (U+FEFF is white space to it) and the \r of CRLF.
    const s = raw.trim();
    if (s === '') return;
    rowNo++;
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch (e) {
      rows.push({ row: rowNo, line, error: { reason: 'malformed_row', message: `Invalid JSON on this line: ${e instanceof Error ? e.message : 'parse error'}.` } });
      return;
    }
    if (!isPlainObject(value)) {
      rows.push({ row: rowNo, line, error: { reason: 'not_an_object', message: 'This line is valid JSON but not an object ({...}).' } });
      return;
    }
    addColumns(columns, known, value);
    rows.push({ row: rowNo, line, values: value });
  };
  for await (const chunk of text) {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    const rows: RawRow[] = [];
    for (const p of parts) handle(p, rows);
    if (rows.length > 0) yield { rows, columns };
  }
  const rows: RawRow[] = [];
  if (pending !== '') handle(pending, rows);
  yield { rows, columns };
}

/** JSON: an array of records, or an object holding one, streamed record by record. */
export async function* readJson(text: AsyncIterable<string>): AsyncGenerator<RowBatch> {
  const splitter = new JsonRecordSplitter();
  const columns: string[] = [];
  const known = new Set<string>();
  const convert = (records: ReturnType<JsonRecordSplitter['push']>): RawRow[] =>
    records.map((r): RawRow => {
      if ('error' in r) return { row: r.index, error: { reason: 'malformed_row', message: `Invalid JSON in record ${r.index}: ${r.error}.` } };
      if (!isPlainObject(r.value)) return { row: r.index, error: { reason: 'not_an_object', message: `Record ${r.index} is not an object ({...}).` } };
      addColumns(columns, known, r.value);
      return { row: r.index, values: r.value };
    });
  for await (const chunk of text) {
    const rows = convert(splitter.push(chunk));
    if (rows.length > 0) yield withKey({ rows, columns }, splitter.key);
  }
  splitter.end();
  yield withKey({ rows: [], columns }, splitter.key);
}

function withKey(batch: RowBatch, key: string | undefined): RowBatch {
  return key === undefined ? batch : { ...batch, jsonKey: key };
}

function toAsyncBuffer(bytes: Uint8Array): AsyncBuffer {
  return {
    byteLength: bytes.byteLength,
    slice: (start, end) => bytes.slice(start, end).buffer,
  };
}

/**
 * Parquet needs random access: a Blob is read by ranges (never loaded whole);
 * other sources are read into memory first. Row groups are decoded one at a
 * time so memory stays bounded and the caller can yield between them.
 */
export async function* readParquet(source: ByteSource, signal?: AbortSignal): AsyncGenerator<RowBatch> {
  const file: AsyncBuffer = isBlobLike(source)
    ? { byteLength: source.size, slice: (start, end) => source.slice(start, end).arrayBuffer() }
    : toAsyncBuffer(await readAllBytes(source, signal));
  const { parquetMetadataAsync, parquetReadObjects } = await import('hyparquet');
  let metadata;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw new MedfactError('BAD_INPUT', `Not a readable Parquet file (${e instanceof Error ? e.message : 'bad metadata'}).`);
  }
  const total = Number(metadata.num_rows);
  const columns = metadata.schema.slice(1).filter((s) => s.num_children === undefined || s.num_children === 0).map((s) => s.name);
  let rowStart = 0;
  let rowNo = 0;
  for (const group of metadata.row_groups) {
    throwIfAborted(signal);
    const rowEnd = rowStart + Number(group.num_rows);
    let objects: Record<string, unknown>[];
    try {
      objects = (await parquetReadObjects({ file, metadata, rowStart, rowEnd })) as Record<string, unknown>[];
    } catch (e) {
      throw new MedfactError('BAD_INPUT', `Could not decode the Parquet data (${e instanceof Error ? e.message : 'decode error'}); snappy or uncompressed files are supported.`);
    }
    for (let i = 0; i < objects.length; i += BATCH_ROWS) {
      const rows: RawRow[] = objects.slice(i, i + BATCH_ROWS).map((values) => ({ row: ++rowNo, values }));
      yield { rows, columns, fraction: total > 0 ? rowNo / total : 1 };
    }
    rowStart = rowEnd;
  }
  if (rowNo === 0) yield { rows: [], columns, fraction: 1 };
}
