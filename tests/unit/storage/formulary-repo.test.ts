import { afterEach, describe, expect, it } from 'vitest';
import { importFormulary } from '../../../src/core/meds';
import { DEMO_FORMULARY_CSV, DEMO_FORMULARY_FILE_NAME } from '../../../src/core/meds/demo-formulary';
import { createFormularyRepo, type FormularyRepo } from '../../../src/storage/formulary-repo';

let n = 0;
const repos: FormularyRepo[] = [];
const fresh = (): FormularyRepo => {
  const r = createFormularyRepo(`formulary-test-${Date.now()}-${n++}`);
  repos.push(r);
  return r;
};
afterEach(async () => {
  for (const r of repos.splice(0)) await r.close();
});

const version = async (csv: string, fileName: string, importedAt: number, demo = false) => {
  const f = await importFormulary(new TextEncoder().encode(csv), { fileName });
  return { hash: f.hash, fileName, format: f.format, importedAt, rows: f.rows, bad: f.bad, demo };
};

describe('formulary repository', () => {
  it('keeps every version with its import date and hash, newest first, and one active', async () => {
    const repo = fresh();
    expect(await repo.getActive()).toBeUndefined();
    const demo = await repo.add(await version(DEMO_FORMULARY_CSV, DEMO_FORMULARY_FILE_NAME, 1000, true));
    const mine = await repo.add(await version('通用名,单次最大剂量,来源\n布洛芬,400 mg,本院\n', 'ours.csv', 2000));
    expect(mine.id).toBe(mine.hash);
    expect((await repo.list()).map((v) => [v.fileName, v.importedAt])).toEqual([
      ['ours.csv', 2000],
      [DEMO_FORMULARY_FILE_NAME, 1000],
    ]);
    expect((await repo.getActive())?.id).toBe(mine.id);
    await repo.setActive(demo.id);
    expect((await repo.getActive())?.demo).toBe(true);
    await expect(repo.setActive('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await repo.remove(demo.id);
    expect(await repo.getActive()).toBeUndefined();
    expect((await repo.list()).map((v) => v.fileName)).toEqual(['ours.csv']);
  });

  it('importing identical bytes again keeps one version and makes it active', async () => {
    const repo = fresh();
    const csv = '通用名,单次最大剂量\n布洛芬,400 mg\n';
    await repo.add(await version(csv, 'a.csv', 1));
    await repo.add(await version('通用名,单次最大剂量\n地高辛,0.5 mg\n', 'b.csv', 2));
    await repo.add(await version(csv, 'a-again.csv', 3));
    expect((await repo.list()).map((v) => v.fileName)).toEqual(['a-again.csv', 'b.csv']);
    expect((await repo.getActive())?.fileName).toBe('a-again.csv');
  });
});

describe('demo formulary', () => {
  it('has at most 20 drugs, no bad row, and a 来源 on every row', async () => {
    const f = await importFormulary(new TextEncoder().encode(DEMO_FORMULARY_CSV), { fileName: 'demo.csv' });
    expect(f.bad).toEqual([]);
    expect(new Set(f.rows.map((r) => r.name)).size).toBeLessThanOrEqual(20);
    for (const r of f.rows) expect(r.source).toMatch(/说明书/);
  });
});
