/**
 * Row readers per format. Each yields batches of raw rows (values keyed by
 * column name) or per-row parse failures, so the importer can convert,
 * report progress and yield to the event loop between batches.
 */
import type { AsyncBuffer } from 'hyparquet';
import { MedfactError, throwIfAborted } from '../../protocol/errors';
import { isBlobLike, readAllBytes, sniffEncoding, type ByteSource } from './byte-source';
import { Utf32Decoder } from './sniff';
import { DelimitedParser, tsvIsQuoted, type DelimitedRecord } from './delimited';
import { JsonRecordSplitter, MAX_JSON_DEPTH, nestingExceeds } from './json-records';
import type { DatasetFormat } from './types';

export type RawRow =
  | { row: number; line?: number; values: Record<string, unknown>; warning?: string }
  | { row: number; line?: number; error: { reason: 'malformed_row' | 'not_an_object'; message: string } };

export interface RowBatch {
  rows: RawRow[];
  /** Column names known so far (in order of first appearance). */
  columns: string[];
  /** Set once a JSON wrapper key is known. */
  jsonKey?: string;
  /** Rows read so far in the file (for parquet progress). */
  fraction?: number;
  /** Parquet columns that could not be decoded and are left out. */
  unreadableColumns?: string[];
  /** File-level notes found while reading. */
  notes?: string[];
}


/** Rows per batch before the importer gets control back. */
export const BATCH_ROWS = 2000;

/** Picks the format from the first bytes where they are sure (Parquet), else the file name, else the content. */
export function detectFormat(fileName: string | undefined, head: Uint8Array): DatasetFormat {
  if (head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31) return 'parquet'; // "PAR1"
  const ext = fileName?.toLowerCase().match(/\.([a-z0-9]+)(?:\.gz)?$/)?.[1];
  const text = headText(head);
  const trimmed = text.trimStart();
  const layout = jsonLayout(trimmed);
  if (ext === 'jsonl' || ext === 'ndjson') return layout === 'lines' || layout === 'single' ? 'jsonl' : 'json';
  if (ext === 'json') return layout === 'lines' ? 'jsonl' : 'json';
  if (ext === 'csv') return 'csv';
  if (ext === 'tsv' || ext === 'tab') return 'tsv';
  if (ext === 'parquet' || ext === 'pq') return 'parquet';
  if (layout === 'single') return singleHoldsRecords(trimmed) ? 'json' : 'jsonl';
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) return layout === 'lines' ? 'jsonl' : 'json';
  const firstLine = text.split(/\r?\n|\r/, 1)[0] ?? '';
  const tabs = firstLine.split('\t').length;
  const commas = firstLine.split(',').length;
  return tabs > commas ? 'tsv' : 'csv';
}

/** The first bytes as text, in the encoding their byte-order mark or zero bytes show (UTF-16 files too). */
export function headText(head: Uint8Array): string {
  const info = sniffEncoding(head.subarray(0, 16384));
  const bytes = head.subarray(0, 16384);
  let text: string;
  if (info.encoding === 'utf-32le' || info.encoding === 'utf-32be') text = new Utf32Decoder(info.encoding === 'utf-32le').decode(bytes.subarray(0, bytes.length & ~3), false);
  else text = new TextDecoder(info.encoding === 'binary' ? 'utf-8' : info.encoding, { fatal: false }).decode(bytes);
  return text.replace(/^\uFEFF/, '');
}

/**
 * How JSON text holds its records: one a line (JSONL), one array, a wrapper
 * object holding an array, or pretty-printed objects one after another
 * (a `.jsonl` written with indentation). Decided from the content, so a
 * file's extension cannot make 10 records into 132 broken "rows".
 */
export function jsonLayout(text: string): 'lines' | 'single' | 'array' | 'wrapper' | 'sequence' {
  const t = text.trimStart();
  if (t.startsWith('[')) return 'array';
  if (!t.startsWith('{')) return 'lines';
  const nl = t.search(/\r?\n|\r/);
  const firstLine = nl < 0 ? t : t.slice(0, nl);
  try {
    JSON.parse(firstLine);
    // One object a line; a file of one line is one record or a wrapper (the extension decides).
    return nl < 0 || t.slice(nl).trim() === '' ? 'single' : 'lines';
  } catch {
    // Multi-line: a wrapper object, or several objects one after another.
    const end = firstValueEnd(t);
    if (end < 0) return 'wrapper';
    return t.slice(end).trimStart().startsWith('{') ? 'sequence' : 'wrapper';
  }
}

/** A one-line JSON object that holds an array of objects is a wrapper ({"data": [...]}), not one record. */
function singleHoldsRecords(t: string): boolean {
  try {
    const v: unknown = JSON.parse(t);
    return isPlainObject(v) && Object.values(v).some((x) => Array.isArray(x) && x.some(isPlainObject));
  } catch {
    return false;
  }
}

/** Index just after the first complete JSON object or array in `t` (which starts with one), or -1. */
function firstValueEnd(t: string): number {
  let depth = 0;
  let inString = false;
  let escape = false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (inString) {
      if (escape) escape = false;
      else if (c === 0x5c) escape = true;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
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

/** Bytes of text looked at before deciding whether a TSV file is quoted. */
const TSV_SNIFF_CHARS = 32 * 1024;

/** CSV/TSV through DelimitedParser (see delimited.ts for how damaged rows are contained). */
export async function* readDelimited(text: AsyncIterable<string>, delimiter: ',' | '\t', notes: string[]): AsyncGenerator<RowBatch> {
  let header: string[] | undefined;
  let rowNo = 0;
  let parser: DelimitedParser | undefined;
  let head = '';

  const convert = (records: DelimitedRecord[]): RawRow[] => {
    const rows: RawRow[] = [];
    for (const r of records) {
      const f = r.fields;
      const blank = f.length === 1 && (f[0] ?? '').trim() === '';
      if (blank) continue;
      if (!header) {
        const h = uniqueHeader(f);
        header = h.columns;
        parser?.setHeaderWidth(header.length);
        if (h.renamed) notes.push('Some column names were repeated; later copies were renamed with a suffix (_2, _3, …).');
        continue;
      }
      rowNo++;
      if (f.length > header.length && f.slice(header.length).some((v) => v.trim() !== '')) {
        rows.push({
          row: rowNo,
          line: r.line,
          error: {
            reason: 'malformed_row',
            message: r.literal
              ? `The quotes in this line are not valid ${used === '\t' ? 'TSV' : 'CSV'} quoting and the line has ${f.length} fields where the header has ${header.length}; fix the quotes (a quote inside a quoted field is written "") or the delimiters.`
              : `This row has ${f.length} fields but the header has ${header.length}; check delimiters and quotes.`,
          },
        });
        continue;
      }
      const values: Record<string, unknown> = {};
      for (let i = 0; i < header.length; i++) values[header[i] as string] = f[i] ?? '';
      rows.push(
        r.literal
          ? { row: rowNo, line: r.line, values, warning: 'The quotes in this line are not valid quoting; the line was read with its quotes as text.' }
          : { row: rowNo, line: r.line, values },
      );
    }
    return rows;
  };

  let used: ',' | '\t' | ';' = delimiter;
  const start = (sample: string): DelimitedParser => {
    // Spreadsheets in many locales save "CSV" with semicolons: a header with semicolons and no commas says so.
    const firstLine = sample.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/, 1)[0] ?? '';
    if (delimiter === ',' && !firstLine.includes(',') && firstLine.includes('\t')) {
      used = '\t';
      notes.push('The CSV file separates its columns with tabs; read as TSV.');
    } else if (delimiter === ',' && !firstLine.includes(',') && firstLine.includes(';')) {
      used = ';';
      notes.push('The CSV file separates its columns with semicolons (;); read as such.');
    }
    const quoted = used !== '\t' || tsvIsQuoted(sample);
    if (used === '\t' && !quoted && sample.includes('"')) notes.push('The TSV file does not use quoting; quote marks are read as part of the text.');
    return new DelimitedParser(used, quoted ? 'quoted' : 'literal');
  };

  for await (const chunk of text) {
    if (!parser) {
      head += chunk;
      if (head.length < TSV_SNIFF_CHARS) continue;
      parser = start(head);
      const rows = convert(parser.push(head));
      head = '';
      if (rows.length > 0) yield { rows, columns: header ?? [] };
      continue;
    }
    const rows = convert(parser.push(chunk));
    if (rows.length > 0) yield { rows, columns: header ?? [] };
  }
  if (!parser) {
    parser = start(head);
    const rows = convert(parser.push(head));
    if (rows.length > 0) yield { rows, columns: header ?? [] };
  }
  yield { rows: convert(parser.end()), columns: header ?? [] };
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
  // Rows of one layout have the same keys in the same order: a row whose keys are the previous row's adds no
  // column (the row handler compares, and calls addColumnsOf only for a row whose keys differ).
  let lastKeys: string[] = [];
  const addColumnsOf = (keys: string[]): void => {
    lastKeys = keys;
    for (const k of keys) {
      if (!known.has(k)) {
        known.add(k);
        columns.push(k);
      }
    }
  };
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
    // One walk over the keys serves both checks, with no key array per row (issue 15): a flat record (no value is
    // an object) needs no nesting walk, and a row with the last row's keys in the same order adds no column.
    // for…in on a parsed JSON object visits exactly its own keys, in Object.keys order.
    let flat = true;
    let same = true;
    let count = 0;
    for (const k in value) {
      const c = value[k];
      if (typeof c === 'object' && c !== null) flat = false;
      if (same && lastKeys[count] !== k) same = false;
      count++;
    }
    if (!flat && nestingExceeds(value)) {
      rows.push({ row: rowNo, line, error: { reason: 'malformed_row', message: `This record is nested more than ${MAX_JSON_DEPTH} levels deep; flatten it.` } });
      return;
    }
    if (!same || count !== lastKeys.length) addColumnsOf(Object.keys(value));
    rows.push({ row: rowNo, line, values: value });
  };
  for await (const chunk of text) {
    // Lines are cut out of the chunk one by one (no array of every line of the chunk). Only the line that
    // spans two chunks is joined: joining the whole chunk to it copied every decoded character once more.
    const rows: RawRow[] = [];
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      handle(start === 0 && pending !== '' ? pending + chunk.slice(0, nl) : chunk.slice(start, nl), rows);
      if (start === 0) pending = '';
      start = nl + 1;
    }
    pending = start === 0 ? pending + chunk : chunk.slice(start);
    if (rows.length > 0) yield { rows, columns };
  }
  const rows: RawRow[] = [];
  if (pending !== '') handle(pending, rows);
  yield { rows, columns };
}

/** JSON: an array of records, an object holding one, or objects one after another; streamed record by record. */
export async function* readJson(text: AsyncIterable<string>, options: { sequence?: boolean } = {}): AsyncGenerator<RowBatch> {
  const splitter = new JsonRecordSplitter(options);
  const columns: string[] = [];
  const known = new Set<string>();
  const convert = (records: ReturnType<JsonRecordSplitter['push']>): RawRow[] =>
    records.map((r): RawRow => {
      if ('error' in r) return { row: r.index, error: { reason: 'malformed_row', message: `Invalid JSON in record ${r.index}: ${r.error}.` } };
      if (!isPlainObject(r.value)) return { row: r.index, error: { reason: 'not_an_object', message: `Record ${r.index} is not an object ({...}).` } };
      if (nestingExceeds(r.value)) return { row: r.index, error: { reason: 'malformed_row', message: `Record ${r.index} is nested more than ${MAX_JSON_DEPTH} levels deep; flatten it.` } };
      addColumns(columns, known, r.value);
      return { row: r.index, values: r.value };
    });
  for await (const chunk of text) {
    const rows = convert(splitter.push(chunk));
    if (rows.length > 0) yield withKey({ rows, columns }, splitter.key);
  }
  const last = withKey({ rows: convert(splitter.end()), columns }, splitter.key);
  yield splitter.trailing ? { ...last, notes: ['Something follows the end of the JSON array (a second document or stray characters); it was ignored and the records of the array were kept.'] } : last;
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
  let columns: string[];
  try {
    metadata = await parquetMetadataAsync(file);
    columns = metadata.schema.slice(1).filter((s) => s.num_children === undefined || s.num_children === 0).map((s) => s.name);
  } catch {
    throw new MedfactError(
      'BAD_INPUT',
      'This is not a readable Parquet file: its footer (the metadata at the end) is damaged or missing, e.g. the file was cut short while copying. Export or copy it again, or use CSV/JSONL.',
    );
  }
  const total = Number(metadata.num_rows);
  /** Columns that could not be decoded: left out (the importer refuses the file only if one is mapped). */
  const unreadable: string[] = [];
  let rowStart = 0;
  let rowNo = 0;
  for (const group of metadata.row_groups) {
    throwIfAborted(signal);
    const rowEnd = rowStart + Number(group.num_rows);
    let objects: Record<string, unknown>[];
    const readable = columns.filter((c) => !unreadable.includes(c));
    try {
      objects = (await parquetReadObjects({ file, metadata, rowStart, rowEnd, columns: readable })) as Record<string, unknown>[];
    } catch {
      // One bad column (an unsupported type, an out-of-range date) must not cost the others: read them one by one.
      const perColumn: Record<string, unknown>[][] = [];
      for (const c of readable) {
        try {
          perColumn.push((await parquetReadObjects({ file, metadata, rowStart, rowEnd, columns: [c] })) as Record<string, unknown>[]);
        } catch {
          unreadable.push(c);
        }
      }
      const n = Number(group.num_rows);
      objects = Array.from({ length: n }, (_, i) => Object.assign({}, ...perColumn.map((col) => col[i] ?? {})) as Record<string, unknown>);
      if (perColumn.length === 0 && readable.length > 0) {
        throw new MedfactError('BAD_INPUT', `The Parquet data in rows ${rowStart + 1}–${rowEnd} cannot be decoded (damaged file, or a compression other than snappy/gzip/none). Export it again, or use CSV/JSONL.`);
      }
    }
    for (let i = 0; i < objects.length; i += BATCH_ROWS) {
      const rows: RawRow[] = objects.slice(i, i + BATCH_ROWS).map((values) => ({ row: ++rowNo, values }));
      yield { rows, columns, fraction: total > 0 ? rowNo / total : 1, unreadableColumns: [...unreadable] };
    }
    rowStart = rowEnd;
  }
  if (rowNo === 0) yield { rows: [], columns, fraction: 1, unreadableColumns: [...unreadable] };
}
