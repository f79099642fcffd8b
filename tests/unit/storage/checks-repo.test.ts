import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeAppDb, DB_NAME } from '../../../src/storage/db';
import {
  countChecks,
  deleteAllChecks,
  deleteCheck,
  getCheck,
  listChecks,
  saveCheck,
} from '../../../src/storage/checks-repo';
import { MedfactError } from '../../../src/protocol/errors';
import { findingAt, makeRecord, makeResult } from '../../kit/check-records';

const warfarin = '华法林过量引起出血时，可静脉注射鱼精蛋白拮抗其作用。';
const vaccine = '第2剂和第3剂分别在1月龄和12月龄时接种。';

async function wipe(): Promise<void> {
  await closeAppDb();
  await new Promise<void>((resolve, reject) => {
    const req = indexedDB.deleteDatabase(DB_NAME);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
  });
}

describe('checks repository', () => {
  beforeEach(wipe);
  afterEach(() => vi.restoreAllMocks());

  it('saves a check with its text, result, models, prompt version and timings and reads it back', async () => {
    const result = makeResult([findingAt(warfarin, '鱼精蛋白', { correction: '维生素K1', reason: '鱼精蛋白拮抗肝素。' })]);
    const record = makeRecord(warfarin, result, { id: 'a' });
    await saveCheck(record);
    expect(await getCheck('a')).toEqual(record);
    expect(await getCheck('missing')).toBeNull();
  });

  it('lists newest first and searches the text and the findings', async () => {
    await saveCheck(makeRecord(warfarin, makeResult([findingAt(warfarin, '鱼精蛋白', { correction: '维生素K1' })]), { id: 'old', createdAt: 1000 }));
    await saveCheck(makeRecord(vaccine, makeResult([findingAt(vaccine, '12月龄', { type: 'temporal', correction: '6月龄' })]), { id: 'new', createdAt: 2000 }));
    expect((await listChecks()).map((r) => r.id)).toEqual(['new', 'old']);
    expect((await listChecks({ search: '华法林' })).map((r) => r.id)).toEqual(['old']);
    // Search reaches the correction and the type name (zh and en), not only the text.
    expect((await listChecks({ search: '维生素k1' })).map((r) => r.id)).toEqual(['old']);
    expect((await listChecks({ search: '时间性' })).map((r) => r.id)).toEqual(['new']);
    expect((await listChecks({ search: 'TEMPORAL' })).map((r) => r.id)).toEqual(['new']);
    expect(await listChecks({ search: '不存在的词' })).toEqual([]);
    expect((await listChecks({ limit: 1 })).map((r) => r.id)).toEqual(['new']);
  });

  it('updates the review in place, deletes one and deletes all', async () => {
    const rec = makeRecord(warfarin, makeResult([]), { id: 'x' });
    await saveCheck(rec);
    await saveCheck({ ...rec, review: { accepted: [], dismissed: ['f1'] } });
    expect((await getCheck('x'))?.review.dismissed).toEqual(['f1']);
    await saveCheck(makeRecord(vaccine, makeResult([]), { id: 'y' }));
    expect(await countChecks()).toBe(2);
    await deleteCheck('x');
    expect((await listChecks()).map((r) => r.id)).toEqual(['y']);
    await deleteAllChecks();
    expect(await countChecks()).toBe(0);
  });

  it('turns a full disk into QUOTA_EXCEEDED with a message saying what to do', async () => {
    const rec = makeRecord(warfarin, makeResult([]), { id: 'q' });
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw quota;
    });
    const error = await saveCheck(rec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MedfactError);
    expect((error as MedfactError).code).toBe('QUOTA_EXCEEDED');
    expect((error as MedfactError).message).toMatch(/Remove|Delete/i);
  });
});
