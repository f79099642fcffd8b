/**
 * Dataset import: any supported file → DatasetItem[] with the mapping used,
 * every rejected row and statistics. Reads as a stream and yields to the
 * event loop between batches, so a 100 MB file never freezes the page.
 */
import { AbortError, MedfactError, throwIfAborted } from '../../protocol/errors';
import { buildItem, type BuildContext } from './build-item';
import { decideTextEncoding, decodeText, EncodingRestart, gunzip, isBlobLike, isRestartable, peekBytes, readAllBytes, sourceSize, type ByteSource } from './byte-source';
import { detectMapping, layoutSignature } from './field-mapping';
import { labelPolarity, type LabelPolarity } from './normalize-labels';
import { detectFormat, jsonLayout, readDelimited, readJson, readJsonl, readParquet, type RawRow, type RowBatch } from './row-readers';
import { sniffBytes } from './sniff';
import { computeStats, hashItems, type Sha256Text } from './stats';
import { createYielder } from '../yield';
import {
  DATASET_FIELDS,
  type DatasetField,
  type DatasetFormat,
  type DatasetItem,
  type DecodingInfo,
  type FieldMapping,
  type GoldUnit,
  type ImportProgress,
  type ImportResult,
  type LabelQuestion,
  type MappingOrigin,
  type RejectedRow,
  type RowWarning,
  type TextEncodingName,
} from './types';

/** Re-exported: callers imported these from here before they moved to core/yield.ts. */
export { createYielder, yieldToEventLoop, YIELD_INTERVAL_MS } from '../yield';

export interface ImportOptions {
  /** File name, used to pick the format by extension. */
  fileName?: string;
  format?: DatasetFormat;
  /** 'auto' (default) recognises MEDEC's columns; 'none' never applies a preset. */
  preset?: 'auto' | 'medec' | 'none';
  /** User corrections: field → column, or null to unmap a field. */
  mapping?: Partial<Record<DatasetField, string | null>>;
  /** Overrides the gold unit (MEDEC: 'sentence'). */
  unit?: GoldUnit;
  /** Override the detected label polarity (true: the label column says "is correct"). */
  labelMeansCorrect?: boolean;
  /** Force a text encoding instead of detecting it. */
  encoding?: TextEncodingName;
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  /** A synchronous SHA-256 for the content hash (the CLI passes Node's); without it, Web Crypto. Same hash. */
  sha256?: Sha256Text;
}

/** `{ line }` for a rejected row that has one (built only for rejections, not per row). */
function lineOf(raw: RawRow): { line?: number } {
  return raw.line === undefined ? {} : { line: raw.line };
}

/** Column names as they may appear in a message: no control or NUL bytes, not too long. */
function printable(name: string): string {
  // eslint-disable-next-line no-control-regex -- stripping control bytes is the point
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]+/g, '�');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

/**
 * Errors leave the importer naming the file, and never with a raw engine
 * message ("Invalid time value", "[object Object]") as their whole text.
 */
function inFile(error: unknown, fileName: string | undefined): unknown {
  if (error instanceof AbortError || (error instanceof Error && error.name === 'AbortError')) return error;
  const where = fileName ? `${fileName}: ` : '';
  if (error instanceof MedfactError) {
    if (!where || error.message.startsWith(where)) return error;
    return new MedfactError(error.code, `${where}${error.message}`, error.details);
  }
  return new MedfactError('BAD_INPUT', `${where}the file could not be read; it may be damaged. Check that it is a dataset exported as CSV, TSV, JSON, JSONL or Parquet.`, {
    cause: error instanceof Error ? error.message : String(error),
  });
}

export async function importDataset(input: ByteSource, options: ImportOptions = {}): Promise<ImportResult> {
  const fileName = options.fileName ?? (isBlobLike(input) ? input.name : undefined);
  try {
    return await importFile(input, fileName, options);
  } catch (e) {
    throw inFile(e, fileName);
  }
}

async function importFile(input: ByteSource, fileName: string | undefined, options: ImportOptions): Promise<ImportResult> {
  const { signal } = options;
  throwIfAborted(signal);
  // A one-shot stream is read into memory: the encoding is decided on every byte, which may take a second look.
  let source: ByteSource = isRestartable(input) ? input : await readAllBytes(input, signal);
  let head = await peekBytes(source, 64 * 1024);
  let kind = sniffBytes(head);
  const notes: string[] = [];
  let name = fileName;
  if (kind.kind === 'gzip') {
    source = await gunzip(source, signal);
    notes.push(`The file is gzip-compressed; it was decompressed (${source.size} bytes).`);
    name = name?.replace(/\.gz$/i, '');
    head = await peekBytes(source, 64 * 1024);
    kind = sniffBytes(head);
    if (kind.kind === 'gzip') throw new MedfactError('BAD_INPUT', 'The file is compressed twice; decompress it and import the result.');
  }
  if (kind.kind === 'binary') {
    throw new MedfactError('BAD_INPUT', `This is not a text or Parquet file: it looks like ${kind.what}. Export the dataset as CSV, TSV, JSON, JSONL or Parquet and import that.`);
  }
  if (sourceSize(source) === 0) throw new MedfactError('BAD_INPUT', 'The file is empty (0 bytes).');
  const format = options.format ?? detectFormat(name, head);
  if (format === 'parquet') {
    if (kind.kind !== 'parquet') throw new MedfactError('BAD_INPUT', 'The file is named as Parquet but is not one (no PAR1 signature); check the export, or rename it to its real format.');
    return runImport(source, format, options, undefined, notes);
  }
  if (kind.kind === 'parquet') throw new MedfactError('BAD_INPUT', 'The file is a Parquet file under another name; rename it to .parquet.');
  if (options.format === undefined && /\.jsonl$|\.ndjson$/i.test(name ?? '') && format === 'json') {
    notes.push('The .jsonl file holds JSON spread over several lines (an array or indented objects), not one record a line; it was read as JSON.');
  }
  const sniffed = kind.kind === 'text' && kind.encoding !== 'undecided' && kind.encoding !== 'utf-8' ? kind.encoding : undefined;
  const forced: Decision | undefined = options.encoding ? { encoding: options.encoding } : sniffed ? { encoding: sniffed, note: kind.kind === 'text' ? kind.note : '' } : undefined;
  try {
    return await runImport(source, format, options, forced, notes);
  } catch (e) {
    if (!(e instanceof EncodingRestart)) throw e;
    // Not clean UTF-8 somewhere: decide on the whole file, then read it again.
    const decided = await decideTextEncoding(source, signal);
    return runImport(source, format, options, { encoding: decided.encoding, note: decided.note, lossy: decided.lossy }, notes);
  }
}

interface Decision {
  encoding: TextEncodingName;
  note?: string;
  lossy?: boolean;
}

async function runImport(source: ByteSource, format: DatasetFormat, options: ImportOptions, decision: Decision | undefined, fileNotes: string[]): Promise<ImportResult> {
  const { signal, onProgress } = options;
  const total = sourceSize(source);
  const decoding: DecodingInfo = { encoding: 'binary', bom: false, lossy: false, note: 'binary (Parquet)' };
  const notes: string[] = [...fileNotes];
  let bytesRead = 0;
  let lastFraction = 0;
  const progress = (p: ImportProgress): void => {
    // Fractions never go down.
    lastFraction = Math.max(lastFraction, p.fraction);
    onProgress?.({ ...p, fraction: lastFraction } as ImportProgress);
  };

  let batches: AsyncIterable<RowBatch>;
  if (format === 'parquet') {
    batches = readParquet(source, signal);
  } else {
    const text = decodeText(source, decoding, {
      ...(decision ? { encoding: decision.encoding } : {}),
      ...(decision?.note ? { note: decision.note } : {}),
      ...(decision?.lossy ? { lossy: true } : {}),
      ...(signal ? { signal } : {}),
      restartOnInvalid: !decision,
      onBytes: (n) => {
        bytesRead = n;
      },
    });
    if (format === 'jsonl') batches = readJsonl(text);
    else if (format === 'json') batches = readJsonLayout(text);
    else batches = readDelimited(text, format === 'tsv' ? '\t' : ',', notes);
  }

  const items: DatasetItem[] = [];
  const rejected: RejectedRow[] = [];
  const warnings: RowWarning[] = [];
  let ctx: BuildContext | undefined;
  let columns: string[] = [];
  let mapping: FieldMapping = {};
  const mappingOrigin: Partial<Record<DatasetField, MappingOrigin>> = {};
  let preset: 'medec' | undefined;
  let unit: GoldUnit = 'span';
  let jsonKey: string | undefined;
  let rows = 0;
  let labelPolarityUsed: LabelPolarity = 'neutral';
  let unreadable: string[] = [];
  const maybeYield = createYielder();

  const setup = (cols: string[]): BuildContext => {
    const detected = detectMapping(cols, options.preset);
    preset = detected.preset;
    unit = options.unit ?? detected.unit;
    mapping = { ...detected.mapping };
    for (const f of DATASET_FIELDS) if (mapping[f] !== undefined) mappingOrigin[f] = preset ? 'preset' : 'auto';
    for (const [field, column] of Object.entries(options.mapping ?? {}) as [DatasetField, string | null][]) {
      if (column === null) {
        delete mapping[field];
        delete mappingOrigin[field];
      } else {
        if (!cols.includes(column)) {
          throw new MedfactError('BAD_INPUT', `The column "${printable(column)}" mapped to ${field} is not in the file; columns are: ${cols.map(printable).join(', ')}.`);
        }
        mapping[field] = column;
        mappingOrigin[field] = 'user';
      }
    }
    if (mapping.text === undefined) {
      throw new MedfactError('BAD_INPUT', `No text column found among: ${cols.map(printable).join(', ') || '(none)'}. Map one (e.g. --map text=<column>), or check that the file is a dataset with a header row.`);
    }
    if (mapping.label === undefined) {
      if (mapping.errorSpan === undefined && mapping.start === undefined) {
        throw new MedfactError('BAD_INPUT', `No label column found among: ${cols.map(printable).join(', ')}. Map one (e.g. --map label=<column>) with values such as 1/0 or 是/否.`);
      }
      notes.push('No label column: a text counts as erroneous when it has a gold error span.');
    }
    if (mapping.id === undefined) notes.push('No id column: items are numbered by row.');
    const polarity: LabelPolarity =
      options.labelMeansCorrect !== undefined
        ? options.labelMeansCorrect
          ? 'correct'
          : 'error'
        : mapping.label !== undefined && mappingOrigin.label !== 'user'
          ? detected.labelPolarity
          : mapping.label !== undefined
            ? labelPolarity(mapping.label)
            : 'neutral';
    labelPolarityUsed = polarity;
    if (mapping.label !== undefined) {
      if (polarity === 'correct') notes.push(`The label column "${mapping.label}" asks whether the text is correct: yes/1/true/是 there mean "no error".`);
      else if (polarity === 'neutral') notes.push(`The label column "${mapping.label}" does not say what it asks: words such as 正确/有误/correct/incorrect are read by their meaning, and 1/0 (or ±1) as 1 = has an error.`);
    }
    const mappedColumns = new Set(Object.values(mapping));
    return { mapping, unit, labelPolarity: polarity, mappedColumns, seenIds: new Set(), ambiguousLabels: new Map() };
  };

  try {
    for await (const batch of batches) {
      throwIfAborted(signal);
      columns = batch.columns;
      if (batch.jsonKey !== undefined) jsonKey = batch.jsonKey;
      if (batch.unreadableColumns) unreadable = batch.unreadableColumns;
      if (batch.notes) notes.push(...batch.notes);
      if (!ctx && batch.rows.some((r) => 'values' in r)) ctx = setup(columns);
      if (ctx) {
        const lost = unreadable.filter((c) => ctx?.mappedColumns.has(c));
        if (lost.length > 0) {
          throw new MedfactError('BAD_INPUT', `The Parquet column${lost.length > 1 ? 's' : ''} ${lost.map((c) => `"${printable(c)}"`).join(', ')} cannot be decoded, and ${lost.length > 1 ? 'they are' : 'it is'} needed (mapped to a field). Export the file again, or map another column.`);
        }
      }
      for (const raw of batch.rows) {
        rows++;
        if ('error' in raw) {
          rejected.push({ row: raw.row, ...lineOf(raw), reason: raw.error.reason, message: raw.error.message });
          continue;
        }
        if (!ctx) {
          // Cannot happen (setup runs before the first row with values), but a row is never dropped unaccounted.
          rejected.push({ row: raw.row, ...lineOf(raw), reason: 'malformed_row', message: 'This row came before the column layout was known.' });
          continue;
        }
        const out = buildItem(raw.row, raw.values, ctx);
        if (out.ok) {
          items.push(out.item);
          for (const w of out.warnings) warnings.push(w);
          if (raw.warning) warnings.push({ row: raw.row, id: out.item.id, reason: 'quotes_read_literally', message: `Line ${raw.line ?? '?'}: ${raw.warning}` });
        } else {
          rejected.push({ row: raw.row, ...lineOf(raw), ...(out.id === undefined ? {} : { id: out.id }), reason: out.reason, message: out.message });
        }
      }
      const fraction = batch.fraction ?? (total ? Math.min(1, bytesRead / total) : 0);
      progress({ status: 'reading', bytesRead, totalBytes: total, rows, fraction: fraction * 0.95 });
      await maybeYield();
    }
  } catch (e) {
    if (e instanceof EncodingRestart || e instanceof MedfactError) throw e;
    if (e instanceof Error && e.name === 'AbortError') throw new AbortError();
    throw new MedfactError('BAD_INPUT', `The file could not be read past row ${rows}; it may be damaged or cut short. The rows before it were fine: fix or re-export the file and import it again.`, {
      cause: e instanceof Error ? e.message : String(e),
    });
  }
  // A file without data rows still gets its mapping checked and reported.
  if (!ctx && columns.length > 0) setup(columns);
  if (decoding.encoding === 'gb18030') notes.push('The file is not UTF-8; it was decoded as GB18030.');
  if (decoding.lossy) notes.push(`Some bytes could not be decoded and were replaced with �: ${decoding.note}.`);
  if (unreadable.length > 0) notes.push(`The Parquet column${unreadable.length > 1 ? 's' : ''} ${unreadable.map((c) => `"${printable(c)}"`).join(', ')} could not be decoded and ${unreadable.length > 1 ? 'are' : 'is'} left out; ${unreadable.length > 1 ? 'they are' : 'it is'} not mapped to any field.`);
  const ambiguous = ctx?.ambiguousLabels;
  let labelQuestion: LabelQuestion | undefined;
  if (ambiguous && ambiguous.size > 0 && mapping.label !== undefined) {
    labelQuestion = { column: mapping.label, values: [...ambiguous.keys()].slice(0, 20), rows: [...ambiguous.values()].reduce((a, b) => a + b, 0) };
    notes.push(`${labelQuestion.rows} rows were not imported: their label (${labelQuestion.values.map((v) => `"${v}"`).join(', ')}) in column "${mapping.label}" could mean either "has an error" or "is correct". Say which value means "has an error" and import again.`);
  }
  if (rows !== items.length + rejected.length) {
    // Accounting is an invariant: say so loudly rather than drop rows quietly.
    notes.push(`Row accounting mismatch: ${rows} rows read, ${items.length} imported, ${rejected.length} rejected. Please report this file.`);
  }

  const stats = computeStats(items, rejected, warnings);
  const contentHash = await hashItems(items, async (done) => {
    progress({ status: 'hashing', rows: done, fraction: 0.95 + 0.05 * (done / Math.max(1, items.length)) });
    await maybeYield();
  }, options.sha256);
  progress({ status: 'done', rows, fraction: 1 });
  const result: ImportResult = {
    items,
    format,
    decoding,
    columns,
    mapping,
    mappingOrigin,
    layoutSignature: await layoutSignature(columns),
    preset,
    unit,
    rejected,
    warnings,
    notes,
    stats,
    contentHash,
    rows,
  };
  if (jsonKey !== undefined) result.jsonKey = jsonKey;
  if (labelQuestion) result.labelQuestion = labelQuestion;
  result.labelPolarity = labelPolarityUsed;
  return result;
}

/** JSON whose layout (array, wrapper, objects one after another) is read from its first text. */
async function* readJsonLayout(text: AsyncIterable<string>): AsyncGenerator<RowBatch> {
  const iterator = text[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? '' : first.value;
  const rest: AsyncIterable<string> = {
    async *[Symbol.asyncIterator]() {
      if (!first.done) yield first.value;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    },
  };
  yield* readJson(rest, { sequence: jsonLayout(head) === 'sequence' });
}
