/**
 * The benchmark form's reference-library option, end to end in real
 * Chromium with real IndexedDB and a REAL tiny model (fixture/tiny-verifier-cite,
 * whose greedy answer-v2 cites passage [1]): a two-item dataset is imported,
 * one run checks it against the library (k = 2) and one without; the library
 * run's provenance names the library's content hash and k, the run keeps a
 * snapshot of the library's passages, its stored finding cites a passage of the
 * imported document, the plain run cites nothing, and the comparison view puts
 * the two runs side by side over the same items.
 */
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITE_VERIFIER, CITE_VERIFIER_LABEL, citeVerifierEntry, openFixtureSession, type FixtureApp, type FixtureSession } from './fixture-app';
import { storedRuns, type StoredRun } from './stored-runs';

const DATASET = 'grounded-mini';

let session: FixtureSession | undefined;
let served: FixtureApp;
let page: Page;
let text: string;

beforeAll(async () => {
  session = await openFixtureSession({ verifier: CITE_VERIFIER, catalog: [citeVerifierEntry()] });
  ({ served, page, text } = session);
}, 300_000);

afterAll(async () => {
  await session?.close();
});

async function startRun(useLibrary: boolean): Promise<void> {
  await page.goto(`${served.app.url}#/bench`);
  await page.getByRole('tab', { name: '新建运行' }).click();
  // The select's accessible name also holds its selected option (embedded control), so match its start.
  const datasetSelect = page.getByRole('combobox', { name: /^数据集/ }).first();
  const options = await datasetSelect.locator('option').evaluateAll((els) => els.map((e) => ({ value: (e as HTMLOptionElement).value, text: e.textContent ?? '' })));
  const chosen = options.find((o) => o.text.includes(DATASET));
  expect(chosen, JSON.stringify(options)).toBeDefined();
  await datasetSelect.selectOption(chosen!.value);
  await expect.poll(() => page.getByTestId('selected-count').textContent()).toContain('已选 2 条');
  await page.getByLabel('核查模型').selectOption({ label: `${CITE_VERIFIER_LABEL} · q8` });
  const use = page.getByTestId('bench-use-library');
  await use.waitFor({ timeout: 30_000 });
  // The form says what the run would carry: the library's size and the start of its content hash.
  expect(await page.getByRole('group', { name: '参考资料' }).textContent()).toMatch(/1 个文档，\d+ 个段落/);
  await use.setChecked(useLibrary);
  if (useLibrary) await page.getByTestId('bench-library-k').fill('2');
  else expect(await page.getByTestId('bench-library-k').count()).toBe(0);
  await page.getByTestId('bench-start').click();
}

async function waitForRuns(n: number): Promise<StoredRun[]> {
  await expect
    .poll(async () => (await storedRuns(page)).filter((r) => r.state === 'completed').length, { timeout: 240_000, interval: 500 })
    .toBe(n);
  return storedRuns(page);
}

describe('a benchmark run against the reference library', () => {
  let docId = '';
  let passages = 0;

  it('imports a reference document and a two-item dataset', async () => {
    await page.goto(`${served.app.url}#/library`);
    await page.getByTestId('library-import').setInputFiles([
      {
        name: '阿莫西林胶囊说明书.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('【用法用量】阿莫西林成人口服常用剂量为每次0.5克，每8小时一次，疗程一般为7至10天。\n【禁忌】对青霉素过敏者禁用本品。'),
      },
    ]);
    const doc = page.getByTestId('library-doc');
    await doc.first().waitFor({ timeout: 60_000 });
    docId = (await doc.first().getAttribute('data-doc-id')) ?? '';
    passages = Number(await doc.first().getAttribute('data-passages'));
    expect(docId).not.toBe('');
    expect(passages).toBeGreaterThan(0);

    const rows = [
      { id: 'e1', text, has_error: 1, error_text: '每次5克', start: 53, end: 57, correction: '每次0.5克', error_type: 'Conceptual' },
      { id: 'c1', text: '对青霉素过敏者禁用阿莫西林，用药前应详细询问过敏史。', has_error: 0 },
    ];
    await page.goto(`${served.app.url}#/bench`);
    await page.getByRole('tab', { name: '数据集' }).click();
    await page.getByLabel('选择文件').setInputFiles({ name: `${DATASET}.jsonl`, mimeType: 'application/jsonl', buffer: Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n')) });
    await page.getByRole('button', { name: /保存数据集/ }).click();
    await page.getByText('已保存').waitFor({ timeout: 60_000 });
  }, 120_000);

  it('records the library (hash, k, passages) in the run and cites its passage in the stored finding', async () => {
    await startRun(true);
    const [run] = await waitForRuns(1);
    const library = run!.config?.library;
    expect(library?.k).toBe(2);
    expect(library?.passages).toHaveLength(passages);
    expect(library?.passages.every((p) => p.id.startsWith(`${docId}:`))).toBe(true);
    expect(run!.provenance?.library).toEqual({ hash: library!.hash, k: 2, documents: 1, passages });
    // The erroneous item's finding cites the document's passage; the correct item has no finding.
    const [finding] = run!.findings.e1 ?? [];
    expect(finding?.quote).toBe('每次5克');
    expect(finding?.evidence?.length).toBe(1);
    expect(finding?.evidence?.[0]).toMatch(new RegExp(`^${docId}:`));

    // Results → provenance shows the same library hash and k.
    await page.getByRole('tab', { name: '运行记录' }).click();
    await page.getByRole('button', { name: '查看结果' }).first().click();
    const prov = page.getByTestId('bench-prov-library');
    await prov.waitFor({ state: 'attached', timeout: 60_000 });
    expect(await prov.getAttribute('data-hash')).toBe(library!.hash);
    expect(await prov.getAttribute('data-k')).toBe('2');
  }, 300_000);

  it('a run without the library cites nothing, and the comparison shows both runs over the same items', async () => {
    await startRun(false);
    const runs = await waitForRuns(2);
    const plain = runs[1]!;
    expect(plain.config?.library).toBeUndefined();
    expect(plain.provenance?.library ?? null).toBeNull();
    expect(Object.values(plain.findings).flat().flatMap((f) => f.evidence ?? [])).toEqual([]);

    await page.getByRole('tab', { name: '运行记录' }).click();
    const ticks = page.getByRole('checkbox', { name: '加入比较' });
    await expect.poll(() => ticks.count(), { timeout: 30_000 }).toBe(2);
    await ticks.nth(0).check();
    await ticks.nth(1).check();
    await page.getByRole('button', { name: '比较所选 2 个运行' }).click();
    const comparison = page.getByTestId('comparison');
    await comparison.waitFor({ timeout: 60_000 });
    expect(await comparison.textContent()).toContain('共同条目 2 条');
  }, 300_000);
});
