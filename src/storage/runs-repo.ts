/**
 * Benchmark runs and their per-item results. A run item is keyed
 * [runId, itemId], so an item is stored at most once per run by
 * construction; writing it again replaces it (idempotent). The run record's
 * counts and heartbeat are updated in the same transaction as each item, so
 * they never disagree with the stored items, whatever crashes in between.
 */
import type { RunCounts, RunItemRecord, RunRecord, RunState } from '../core/run-record';
import { MedfactError } from '../protocol/errors';
import { getAppDb, withStorageErrors, type AppDb } from './db';

export interface RunsRepo {
  create(run: RunRecord): Promise<void>;
  get(id: string): Promise<RunRecord | null>;
  /** Newest first. */
  list(): Promise<RunRecord[]>;
  /** Read-modify-write in one transaction; returns the updated run. */
  update(id: string, patch: (run: RunRecord) => Partial<RunRecord>): Promise<RunRecord>;
  setState(id: string, state: RunState, extra?: Partial<Pick<RunRecord, 'error' | 'finishedAt'>>): Promise<RunRecord>;
  heartbeat(id: string, at?: number): Promise<void>;
  /** Stores one item's result and updates the run's counts and heartbeat atomically. */
  putItem(item: RunItemRecord, at?: number): Promise<RunCounts>;
  /** Stores many results at once (imported predictions). */
  putItems(runId: string, items: RunItemRecord[]): Promise<RunCounts>;
  getItem(runId: string, itemId: string): Promise<RunItemRecord | null>;
  /** The run's stored items, in run order. */
  listItems(runId: string): Promise<RunItemRecord[]>;
  storedItemIds(runId: string): Promise<Set<string>>;
  countItems(runId: string): Promise<number>;
  delete(id: string): Promise<void>;
}

function isRun(value: unknown): value is RunRecord {
  if (!value || typeof value !== 'object') return false;
  const v = value as Partial<RunRecord>;
  return typeof v.id === 'string' && typeof v.state === 'string' && Array.isArray(v.itemIds) && typeof v.counts === 'object';
}

function isRunItem(value: unknown): value is RunItemRecord {
  if (!value || typeof value !== 'object') return false;
  const v = value as Partial<RunItemRecord>;
  return typeof v.runId === 'string' && typeof v.itemId === 'string' && (v.status === 'done' || v.status === 'failed');
}

function notFound(id: string): MedfactError {
  return new MedfactError('NOT_FOUND', `Benchmark run ${id} is not stored here any more; it may have been deleted.`, { runId: id });
}

function runRange(runId: string): IDBKeyRange {
  return IDBKeyRange.only(runId);
}

/** Counts as a function of an item's status, so replacing an item adjusts them exactly. */
function applyDelta(counts: RunCounts, before: RunItemRecord | null, after: RunItemRecord): RunCounts {
  const next = { ...counts };
  if (before) {
    next.stored -= 1;
    if (before.status === 'done') next.done -= 1;
    else next.failed -= 1;
  }
  next.stored += 1;
  if (after.status === 'done') next.done += 1;
  else next.failed += 1;
  return next;
}

export function createRunsRepo(db: () => Promise<AppDb> = () => getAppDb()): RunsRepo {
  const repo: RunsRepo = {
    create: (run) => withStorageErrors(async () => void (await (await db()).put('runs', run))),

    get: (id) =>
      withStorageErrors(async () => {
        const row: unknown = await (await db()).get('runs', id);
        return isRun(row) ? row : null;
      }),

    list: () =>
      withStorageErrors(async () => {
        const rows: unknown[] = await (await db()).getAllFromIndex('runs', 'createdAt');
        return rows.filter(isRun).reverse();
      }),

    update: (id, patch) =>
      withStorageErrors(async () => {
        const tx = (await db()).transaction('runs', 'readwrite');
        const row: unknown = await tx.store.get(id);
        if (!isRun(row)) throw notFound(id);
        const next: RunRecord = { ...row, ...patch(row), id, updatedAt: Date.now() };
        await tx.store.put(next);
        await tx.done;
        return next;
      }),

    setState: (id, state, extra = {}) =>
      repo.update(id, () => ({ state, heartbeatAt: Date.now(), ...extra, ...(state === 'running' ? { error: undefined } : {}) })),

    heartbeat: (id, at = Date.now()) =>
      withStorageErrors(async () => {
        const tx = (await db()).transaction('runs', 'readwrite');
        const row: unknown = await tx.store.get(id);
        if (isRun(row)) {
          const next: RunRecord = { ...row, heartbeatAt: at };
          await tx.store.put(next);
        }
        await tx.done;
      }),

    putItem: (item, at = Date.now()) =>
      withStorageErrors(async () => {
        const tx = (await db()).transaction(['runs', 'runItems'], 'readwrite');
        const runs = tx.objectStore('runs');
        const items = tx.objectStore('runItems');
        const run: unknown = await runs.get(item.runId);
        // Nothing was written yet: the transaction commits empty.
        if (!isRun(run)) throw notFound(item.runId);
        const before: unknown = await items.get([item.runId, item.itemId]);
        const counts = applyDelta(run.counts, isRunItem(before) ? before : null, item);
        await items.put(item);
        const next: RunRecord = { ...run, counts, heartbeatAt: at, updatedAt: at };
        await runs.put(next);
        await tx.done;
        return counts;
      }),

    putItems: (runId, list) =>
      withStorageErrors(async () => {
        const tx = (await db()).transaction(['runs', 'runItems'], 'readwrite');
        const runs = tx.objectStore('runs');
        const items = tx.objectStore('runItems');
        const run: unknown = await runs.get(runId);
        if (!isRun(run)) throw notFound(runId);
        // Issue the reads together and the writes without waiting on each:
        // one round of requests per batch instead of two per item.
        const befores: unknown[] = await Promise.all(list.map((item) => items.get([runId, item.itemId])));
        let counts = run.counts;
        const writes: Promise<unknown>[] = [];
        list.forEach((item, i) => {
          const before = befores[i];
          counts = applyDelta(counts, isRunItem(before) ? before : null, item);
          writes.push(items.put(item));
        });
        const now = Date.now();
        const next: RunRecord = { ...run, counts, heartbeatAt: now, updatedAt: now };
        writes.push(runs.put(next));
        await Promise.all([...writes, tx.done]);
        return counts;
      }),

    getItem: (runId, itemId) =>
      withStorageErrors(async () => {
        const row: unknown = await (await db()).get('runItems', [runId, itemId]);
        return isRunItem(row) ? row : null;
      }),

    listItems: (runId) =>
      withStorageErrors(async () => {
        const rows: unknown[] = await (await db()).getAllFromIndex('runItems', 'runId', runRange(runId));
        return rows.filter(isRunItem).sort((a, b) => a.index - b.index);
      }),

    storedItemIds: (runId) =>
      withStorageErrors(async () => {
        const keys = await (await db()).getAllKeysFromIndex('runItems', 'runId', runRange(runId));
        return new Set(keys.map((k) => k[1]));
      }),

    countItems: (runId) => withStorageErrors(async () => (await db()).countFromIndex('runItems', 'runId', runRange(runId))),

    delete: (id) =>
      withStorageErrors(async () => {
        const tx = (await db()).transaction(['runs', 'runItems'], 'readwrite');
        const items = tx.objectStore('runItems');
        let cursor = await items.index('runId').openKeyCursor(runRange(id));
        while (cursor) {
          await items.delete(cursor.primaryKey);
          cursor = await cursor.continue();
        }
        await tx.objectStore('runs').delete(id);
        await tx.done;
      }),
  };
  return repo;
}

/** Milliseconds without a heartbeat after which a `running` run counts as interrupted. */
export const STALE_HEARTBEAT_MS = 15_000;

/** Runs a user can resume: paused ones, and running ones whose loop stopped beating (reload, crash, lost GPU). */
export function isResumable(run: RunRecord, now: number = Date.now(), staleMs: number = STALE_HEARTBEAT_MS): boolean {
  if (run.origin !== 'local' || run.counts.stored >= run.itemIds.length) return false;
  if (run.state === 'paused') return true;
  return run.state === 'running' && now - run.heartbeatAt > staleMs;
}

export const runsRepo: RunsRepo = createRunsRepo();
