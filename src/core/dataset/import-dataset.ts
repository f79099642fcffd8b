/**
 * Dataset import: any supported file → DatasetItem[] with the mapping used,
 * every rejected row and statistics. Reads as a stream and yields to the
 * event loop between batches, so a 100 MB file never freezes the page.
 */
import { AbortError, MedfactError, throwIfAborted } from '../../protocol/errors';
import { buildItem, type BuildContext } from './build-item';
import { decodeText, EncodingRestart, isBlobLike, isRestartable, peekBytes, sourceSize, type ByteSource } from './byte-source';
import { detectMapping, layoutSignature } from './field-mapping';
import { detectFormat, readDelimited, readJson, readJsonl, readParquet, type RawRow, type RowBatch } from './row-readers';
import { computeStats, hashItems } from './stats';
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
  type MappingOrigin,
  type RejectedRow,
  type RowWarning,
  type TextEncodingName,
} from './types';

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
}

/** Node's setImmediate when present: a full event-loop turn without setTimeout's 1 ms minimum sleep. */
const setImmediateIfAny = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;

/** Gives the event loop a turn (page stays responsive; abort signals get through). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (setImmediateIfAny) setImmediateIfAny(resolve);
    else setTimeout(resolve, 0);
  });
}

/** Work time between two turns given to the event loop (well under a frame budget's worth of jank). */
export const YIELD_INTERVAL_MS = 30;

/**
 * Yields only once `intervalMs` of work has passed since the last turn: a
 * setTimeout turn costs 1–4 ms, so yielding per batch (a 100 MB file has
 * ~1,600 chunks) would spend more time waiting than working.
 */
export function createYielder(intervalMs = YIELD_INTERVAL_MS, now: () => number = () => performance.now()): () => Promise<void> {
  let last = now();
  return async () => {
    if (now() - last < intervalMs) return;
    await yieldToEventLoop();
    last = now();
  };
}

/** Wraps a one-shot async iterable so its first bytes can be peeked and then replayed. */
async function replayable(source: AsyncIterable<Uint8Array>, want: number): Promise<{ head: Uint8Array; source: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const buffered: Uint8Array[] = [];
  let size = 0;
  let finished = false;
  while (size < want) {
    const next = await iterator.next();
    if (next.done) {
      finished = true;
      break;
    }
    buffered.push(next.value);
    size += next.value.byteLength;
  }
  const head = new Uint8Array(size);
  let at = 0;
  for (const b of buffered) {
    head.set(b, at);
    at += b.byteLength;
  }
  const replay: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      yield* buffered;
      if (finished) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    },
  };
  return { head, source: replay };
}

/** `{ line }` for a rejected row that has one (built only for rejections, not per row). */
function lineOf(raw: RawRow): { line?: number } {
  return raw.line === undefined ? {} : { line: raw.line };
}

export async function importDataset(input: ByteSource, options: ImportOptions = {}): Promise<ImportResult> {
  const { signal } = options;
  throwIfAborted(signal);
  let source = input;
  let head: Uint8Array;
  if (typeof source === 'object' && !isBlobLike(source) && !(source instanceof Uint8Array) && !(source instanceof ArrayBuffer)) {
    const r = await replayable(source, 64 * 1024);
    head = r.head;
    source = r.source;
  } else {
    head = await peekBytes(source, 64 * 1024);
  }
  const fileName = options.fileName ?? (isBlobLike(source) ? source.name : undefined);
  const format = options.format ?? detectFormat(fileName, head);
  try {
    return await runImport(source, format, options, options.encoding);
  } catch (e) {
    if (e instanceof EncodingRestart && isRestartable(source)) return runImport(source, format, options, 'gb18030');
    if (e instanceof EncodingRestart) throw new MedfactError('BAD_INPUT', 'The file is not valid UTF-8 past its beginning; re-save it as UTF-8 (or pick the GB18030 encoding).');
    throw e;
  }
}

async function runImport(source: ByteSource, format: DatasetFormat, options: ImportOptions, encoding: TextEncodingName | undefined): Promise<ImportResult> {
  const { signal, onProgress } = options;
  const total = sourceSize(source);
  const decoding: DecodingInfo = { encoding: 'binary', bom: false, lossy: false, note: 'binary (Parquet)' };
  const notes: string[] = [];
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
      ...(encoding ? { encoding } : {}),
      ...(signal ? { signal } : {}),
      restartOnInvalid: isRestartable(source) && !encoding,
      onBytes: (n) => {
        bytesRead = n;
      },
    });
    batches = format === 'jsonl' ? readJsonl(text) : format === 'json' ? readJson(text) : readDelimited(text, format === 'tsv' ? '\t' : ',', notes);
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
          throw new MedfactError('BAD_INPUT', `The column "${column}" mapped to ${field} is not in the file; columns are: ${cols.join(', ')}.`);
        }
        mapping[field] = column;
        mappingOrigin[field] = 'user';
      }
    }
    if (mapping.text === undefined) {
      throw new MedfactError('BAD_INPUT', `No text column found among: ${cols.join(', ') || '(none)'}. Map one (e.g. --map text=<column>).`);
    }
    if (mapping.label === undefined) {
      if (mapping.errorSpan === undefined && mapping.start === undefined) {
        throw new MedfactError('BAD_INPUT', `No label column found among: ${cols.join(', ')}. Map one (e.g. --map label=<column>) with values such as 1/0 or 是/否.`);
      }
      notes.push('No label column: a text counts as erroneous when it has a gold error span.');
    }
    if (mapping.id === undefined) notes.push('No id column: items are numbered by row.');
    const labelMeansCorrect = options.labelMeansCorrect ?? (mapping.label !== undefined && mappingOrigin.label !== 'user' ? detected.labelMeansCorrect : false);
    if (labelMeansCorrect) notes.push(`The label column "${mapping.label ?? ''}" is read as "is correct" (true = no error).`);
    const used = new Set(Object.values(mapping));
    return { mapping, unit, labelMeansCorrect, extraColumns: cols.filter((c) => !used.has(c)), seenIds: new Set() };
  };

  try {
    for await (const batch of batches) {
      throwIfAborted(signal);
      columns = batch.columns;
      if (batch.jsonKey !== undefined) jsonKey = batch.jsonKey;
      if (!ctx && batch.rows.some((r) => 'values' in r)) ctx = setup(columns);
      if (ctx && ctx.extraColumns.length + Object.keys(ctx.mapping).length < columns.length) {
        // JSON records may bring new keys later: keep them as extra columns.
        const known = new Set([...ctx.extraColumns, ...Object.values(ctx.mapping)]);
        for (const c of columns) if (!known.has(c)) ctx.extraColumns.push(c);
      }
      for (const raw of batch.rows) {
        rows++;
        if ('error' in raw) {
          rejected.push({ row: raw.row, ...lineOf(raw), reason: raw.error.reason, message: raw.error.message });
          continue;
        }
        if (!ctx) continue;
        const out = buildItem(raw.row, raw.values, ctx);
        if (out.ok) {
          items.push(out.item);
          for (const w of out.warnings) warnings.push(w);
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
    throw new MedfactError('BAD_INPUT', `Could not read the file: ${e instanceof Error ? e.message : String(e)}`);
  }
  // A file without data rows still gets its mapping checked and reported.
  if (!ctx && columns.length > 0) setup(columns);
  if (decoding.encoding === 'gb18030') notes.push('The file is not UTF-8; it was decoded as GB18030.');
  if (decoding.lossy) notes.push(`Some bytes could not be decoded and were replaced: ${decoding.note}.`);

  const stats = computeStats(items, rejected, warnings);
  const contentHash = await hashItems(items, async (done) => {
    progress({ status: 'hashing', rows: done, fraction: 0.95 + 0.05 * (done / Math.max(1, items.length)) });
    await maybeYield();
  });
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
  };
  if (jsonKey !== undefined) result.jsonKey = jsonKey;
  return result;
}
