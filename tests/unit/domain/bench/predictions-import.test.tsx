// @vitest-environment happy-dom
/**
 * The app's "import predictions" path runs the checks of `medfact score`
 * and shows their counts and line numbers: the real Runs panel over
 * IndexedDB (fake-indexeddb in Node), a real dataset import, a real file.
 */
import { File as NodeFile } from 'node:buffer';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkPredictionsFile } from '../../../../src/domain/bench/predictions-import';
import { importDataset } from '../../../../src/core/dataset/import-dataset';
import { prepareScoring } from '../../../../src/core/metrics/coverage';
import { parsePredictionsJsonl } from '../../../../src/core/predictions';
import { saveImportedDataset } from '../../../../src/features/bench/bench-service';
import { useBenchStore } from '../../../../src/features/bench/bench-store';
import { RunsPanel } from '../../../../src/features/bench/components/runs-panel';
import { useLocaleStore } from '../../../../src/i18n';
import { closeAppDb, DB_NAME } from '../../../../src/storage/db';
import { runsRepo } from '../../../../src/storage/runs-repo';

const jsonl = (rows: unknown[]): string => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
const datasetText = jsonl(Array.from({ length: 40 }, (_, i) => ({ id: `a${i}`, text: `阿司匹林可以预防血栓形成。第${i}条`, label: i % 2 === 0 ? 1 : 0, error_span: i % 2 === 0 ? '阿司匹林' : '' })));
const perfect = (i: number): Record<string, unknown> => ({ id: `a${i}`, has_error: i % 2 === 0, spans: i % 2 === 0 ? [{ start: 0, end: 4, text: '阿司匹林' }] : [] });

/** 36 lines for a4..a39, one with spans as an object (line 3), one duplicate (a5 again, line 37). */
const predictionsText = (): string => {
  const rows: unknown[] = Array.from({ length: 36 }, (_, i) => perfect(i + 4));
  rows[2] = { id: ' a6 ', has_error: true, spans: { start: 0, end: 4 } };
  rows.push({ id: 'a5', has_error: true, spans: [] });
  return jsonl(rows);
};

let datasetId = '';

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

beforeEach(async () => {
  await closeAppDb();
  await new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(DB_NAME);
    req.onsuccess = req.onerror = () => resolve();
  });
  useLocaleStore.getState().reset();
  useBenchStore.getState().reset();
  const result = await importDataset(new TextEncoder().encode(datasetText), { fileName: 'forty.jsonl' });
  datasetId = (await saveImportedDataset(result, 'forty', 'forty.jsonl', {})).id;
});
afterEach(cleanup);

async function importThrough(text: string): Promise<void> {
  render(<RunsPanel />);
  fireEvent.change(screen.getByRole('combobox'), { target: { value: datasetId } });
  const input = document.querySelector<HTMLInputElement>('.import-predictions input[type="file"]')!;
  fireEvent.change(input, { target: { files: [new NodeFile([text], 'run.jsonl')] } });
}

describe('importing a predictions file in the app', () => {
  it('gives the same counts as the command line (core prepareScoring)', async () => {
    const items = (await importDataset(new TextEncoder().encode(datasetText), { fileName: 'forty.jsonl' })).items;
    const { summary } = await checkPredictionsFile(new NodeFile([predictionsText()], 'run.jsonl') as unknown as Blob, items);
    const cli = prepareScoring(items, parsePredictionsJsonl(predictionsText())).coverage;
    expect(summary).toMatchObject({ total: 40, matched: cli.matched, missing: cli.missing, unknown: cli.unknown, duplicates: cli.duplicates.length, rejectedLines: cli.rejected_lines });
    expect(summary).toMatchObject({ matched: 35, missing: 5, missingPercent: '12.5', missingWarning: true, rejectedLines: 1, duplicates: 1 });
  });

  it('shows the counts, a warning for more than 5% missing, the bad line by number and the duplicate with the line used', async () => {
    useLocaleStore.getState().setLocale('en');
    await importThrough(predictionsText());
    const summary = await screen.findByTestId('predictions-import-summary', {}, { timeout: 10_000 });
    expect(summary.textContent).toContain('35 of 40 dataset items have a prediction, 5 missing (12.5%); 0 id(s) not in the dataset, 1 duplicate id(s), 1 line(s) skipped as errors.');
    expect(within(summary).getByRole('alert').textContent).toMatch(/5 of 40 dataset items \(12\.5%\) have no prediction, more than 5%/);
    expect(within(summary).getByTestId('predictions-import-issues').textContent).toMatch(/Line 3: id a6: "spans" must be an array of \{start, end, text\}, not an object; line skipped/);
    expect(within(summary).getByTestId('predictions-import-duplicates').textContent).toBe('id a5: on lines 2, 37; line 2 (the first) is used.');
    const runs = await runsRepo.list();
    const imported = runs.find((r) => r.origin === 'imported')!;
    expect(imported.itemIds).toHaveLength(35);
    expect(imported.itemIds).not.toContain('a6');
  });

  it('refuses a file whose ids match nothing, says so, and stores no run', async () => {
    await importThrough(jsonl(Array.from({ length: 40 }, (_, i) => ({ ...perfect(i), id: `b${i}` }))));
    await waitFor(() => expect(useBenchStore.getState().error).not.toBeNull(), { timeout: 10_000 });
    expect(useBenchStore.getState().error!.message).toMatch(/None of the 40 prediction ids matches an id in the dataset \(40 items\)/);
    expect((await runsRepo.list()).filter((r) => r.origin === 'imported')).toEqual([]);
    expect(screen.queryByTestId('predictions-import-summary')).toBeNull();
  });

  it('shows the summary in Chinese first', async () => {
    await importThrough(predictionsText());
    const summary = await screen.findByTestId('predictions-import-summary', {}, { timeout: 10_000 });
    expect(summary.textContent).toContain('数据集 40 条中有 35 条有预测，缺少 5 条（12.5%）');
    expect(within(summary).getByTestId('predictions-import-issues').textContent).toContain('第 3 行：');
  });
});
