/**
 * Imported benchmark datasets: a summary record in `datasets`, the items in
 * `datasetItems` keyed [datasetId, index], and the field mapping a user
 * confirmed for a column layout in `layouts`, so the same file layout maps
 * itself next time. Items are written before the summary, in batches, so a
 * dataset is listed only once all of its items are stored.
 */
import type { DatasetFormat, DatasetItem, DatasetStats, FieldMapping, GoldUnit, ImportResult, RejectedRow } from '../core/dataset/types';
import { MedfactError } from '../protocol/errors';
import { getAppDb, readAllValid, readValid, withStorageErrors, type AppDb } from './db';

export const DATASET_RECORD_VERSION = 1;
/** Rejected rows kept with a dataset for display; the count is always exact. */
export const MAX_STORED_REJECTS = 5_000;
const WRITE_BATCH = 500;
/** Longest stretch of synchronous puts in one task (under the 50 ms long-task line with room for the rest). */
const WRITE_SLICE_MS = 12;

export interface DatasetRecord {
  v: typeof DATASET_RECORD_VERSION;
  id: string;
  name: string;
  createdAt: number;
  origin: 'import' | 'demo';
  fileName?: string;
  format?: DatasetFormat;
  /** SHA-256 of the canonical items (core's hashItems); runs record it. */
  contentHash: string;
  unit: GoldUnit;
  itemCount: number;
  stats: DatasetStats;
  mapping: FieldMapping;
  layoutSignature?: string;
  preset?: 'medec';
  notes: string[];
  rejected: RejectedRow[];
  rejectedCount: number;
  warningCount: number;
}

export interface StoredDatasetItem extends DatasetItem {
  datasetId: string;
  index: number;
}

export interface LayoutRecord {
  signature: string;
  mapping: Partial<Record<string, string | null>>;
  preset?: 'auto' | 'medec' | 'none';
  unit?: GoldUnit;
  labelMeansCorrect?: boolean;
  updatedAt: number;
}

export interface DatasetsRepo {
  /** Stores the items, then the summary; replaces a dataset with the same id. */
  save(record: DatasetRecord, items: readonly DatasetItem[]): Promise<void>;
  get(id: string): Promise<DatasetRecord | null>;
  /** Newest first. */
  list(): Promise<DatasetRecord[]>;
  /** All items in file order. */
  items(id: string): Promise<DatasetItem[]>;
  delete(id: string): Promise<void>;
  getLayout(signature: string): Promise<LayoutRecord | null>;
  saveLayout(layout: LayoutRecord): Promise<void>;
}

function isDataset(value: unknown): value is DatasetRecord {
  if (!value || typeof value !== 'object') return false;
  const v = value as Partial<DatasetRecord>;
  return typeof v.id === 'string' && typeof v.name === 'string' && typeof v.contentHash === 'string' && typeof v.itemCount === 'number';
}

function isItem(value: unknown): value is StoredDatasetItem {
  if (!value || typeof value !== 'object') return false;
  const v = value as Partial<StoredDatasetItem>;
  return typeof v.id === 'string' && typeof v.text === 'string' && typeof v.hasError === 'boolean' && Array.isArray(v.gold);
}

function isLayout(value: unknown): value is LayoutRecord {
  return !!value && typeof value === 'object' && typeof (value as LayoutRecord).signature === 'string' && typeof (value as LayoutRecord).mapping === 'object';
}

function itemsRange(id: string): IDBKeyRange {
  return IDBKeyRange.only(id);
}

function stripKeys(row: StoredDatasetItem): DatasetItem {
  const { datasetId: _d, index: _i, ...item } = row;
  return item;
}

export function createDatasetsRepo(db: () => Promise<AppDb> = () => getAppDb()): DatasetsRepo {
  async function deleteItems(id: string): Promise<void> {
    const tx = (await db()).transaction('datasetItems', 'readwrite');
    let cursor = await tx.store.index('datasetId').openKeyCursor(itemsRange(id));
    while (cursor) {
      await tx.store.delete(cursor.primaryKey);
      cursor = await cursor.continue();
    }
    await tx.done;
  }

  return {
    save: (record, items) =>
      withStorageErrors(async () => {
        if (record.itemCount !== items.length) {
          throw new MedfactError('BAD_INPUT', `The dataset says ${record.itemCount} items but ${items.length} were given.`);
        }
        const conn = await db();
        await conn.delete('datasets', record.id);
        await deleteItems(record.id);
        // Each put is cloned synchronously: a fixed 500-put batch was one
        // 100–180 ms main-thread task on a 100k-row import. A batch now also
        // ends after WRITE_SLICE_MS of issuing puts, so the page stays smooth.
        for (let from = 0; from < items.length; ) {
          const tx = conn.transaction('datasetItems', 'readwrite');
          const started = performance.now();
          let i = from;
          do {
            const item = items[i];
            if (item) void tx.store.put({ ...item, datasetId: record.id, index: i });
            i++;
          } while (i < items.length && i - from < WRITE_BATCH && performance.now() - started < WRITE_SLICE_MS);
          from = i;
          await tx.done;
        }
        const rejected = record.rejected.slice(0, MAX_STORED_REJECTS);
        const row: DatasetRecord = { ...record, rejected };
        await conn.put('datasets', row);
      }),

    get: (id) => readValid(async () => (await db()).get('datasets', id), isDataset),

    list: async () => (await readAllValid(async () => (await db()).getAll('datasets'), isDataset)).sort((a, b) => b.createdAt - a.createdAt),

    items: (id) =>
      withStorageErrors(async () => {
        const rows: unknown[] = await (await db()).getAllFromIndex('datasetItems', 'datasetId', itemsRange(id));
        return rows
          .filter(isItem)
          .sort((a, b) => a.index - b.index)
          .map(stripKeys);
      }),

    delete: (id) =>
      withStorageErrors(async () => {
        await (await db()).delete('datasets', id);
        await deleteItems(id);
      }),

    getLayout: (signature) => readValid(async () => (await db()).get('layouts', signature), isLayout),

    saveLayout: (layout) => withStorageErrors(async () => void (await (await db()).put('layouts', layout))),
  };
}

export const datasetsRepo: DatasetsRepo = createDatasetsRepo();

/** The stored record for an import result (the items are saved beside it). */
export function importedDatasetRecord(result: ImportResult, id: string, name: string, fileName: string): DatasetRecord {
  return {
    v: 1,
    id,
    name,
    createdAt: Date.now(),
    origin: 'import',
    fileName,
    format: result.format,
    contentHash: result.contentHash,
    unit: result.unit,
    itemCount: result.items.length,
    stats: result.stats,
    mapping: result.mapping,
    layoutSignature: result.layoutSignature,
    notes: result.notes,
    rejected: result.rejected,
    rejectedCount: result.rejected.length,
    warningCount: result.warnings.length,
    ...(result.preset ? { preset: result.preset } : {}),
  };
}
