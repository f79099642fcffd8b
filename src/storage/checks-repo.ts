/**
 * The check history: every check the clinician ran, with its text, result,
 * model ids, prompt version, timings and review (accepted corrections and
 * findings dismissed as false alarms). Stored in this browser's IndexedDB
 * only; nothing leaves the device.
 */
import type { CheckResult } from '../core/check';
import { ERROR_TYPE_INFO } from '../core/labels';
import { getAppDb, withStorageErrors } from './db';

export const CHECK_RECORD_VERSION = 1;

export interface CheckReview {
  /** Accepted finding ids, in the order they were accepted. */
  accepted: string[];
  /** Findings dismissed as false alarms; kept for later review. */
  dismissed: string[];
}

export interface CheckRecord {
  /** Record schema version, for later migrations. */
  v: typeof CHECK_RECORD_VERSION;
  id: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** The text as it was checked; all offsets in `result` refer to it. */
  text: string;
  /** The pipeline's result as produced; the slider's view is `applyThreshold(result, threshold)`. */
  result: CheckResult;
  /** The confidence threshold the user last chose for this check. */
  threshold: number;
  /** Copied from the result so a list or an export names them without digging. */
  models: { verifier: string; reward: string | null };
  promptId: string;
  promptVersion: string;
  timings: CheckResult['timings'];
  review: CheckReview;
  appVersion: string;
}

export interface ListChecksQuery {
  /** Case-insensitive search over the text and the findings (quote, correction, reason, type). */
  search?: string;
  limit?: number;
}

function searchableText(record: CheckRecord): string {
  const parts = [record.text];
  for (const f of record.result.findings) {
    const info = ERROR_TYPE_INFO[f.type];
    parts.push(f.quote, f.correction, f.reason, info?.zh ?? '', info?.en ?? '', f.type);
  }
  return parts.join('\n').toLowerCase();
}

export function matchesSearch(record: CheckRecord, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (!needle) return true;
  return searchableText(record).includes(needle);
}

/** Inserts or replaces a check (the review is saved again after each accept or dismiss). */
export async function saveCheck(record: CheckRecord): Promise<void> {
  await withStorageErrors(async () => {
    const db = await getAppDb();
    await db.put('checks', record);
  });
}

export async function getCheck(id: string): Promise<CheckRecord | null> {
  return withStorageErrors(async () => {
    const db = await getAppDb();
    // The schema types only the key fields; every row in `checks` is a CheckRecord written above.
    return ((await db.get('checks', id)) as CheckRecord | undefined) ?? null;
  });
}

/** Checks, newest first, optionally filtered by a search string. */
export async function listChecks(query: ListChecksQuery = {}): Promise<CheckRecord[]> {
  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  const search = query.search ?? '';
  return withStorageErrors(async () => {
    const db = await getAppDb();
    const out: CheckRecord[] = [];
    let cursor = await db.transaction('checks').store.index('createdAt').openCursor(null, 'prev');
    while (cursor && out.length < limit) {
      const record = cursor.value as CheckRecord;
      if (matchesSearch(record, search)) out.push(record);
      cursor = await cursor.continue();
    }
    return out;
  });
}

export async function countChecks(): Promise<number> {
  return withStorageErrors(async () => (await getAppDb()).count('checks'));
}

export async function deleteCheck(id: string): Promise<void> {
  await withStorageErrors(async () => (await getAppDb()).delete('checks', id));
}

/** Removes every stored check (the history screen asks for confirmation first). */
export async function deleteAllChecks(): Promise<void> {
  await withStorageErrors(async () => (await getAppDb()).clear('checks'));
}
