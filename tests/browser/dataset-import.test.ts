/**
 * The benchmark's import screen with files a user really gets: a label
 * column whose true/false could mean either polarity (the screen asks, and
 * remembers the answer with the column layout), a gzip-compressed CSV
 * (DecompressionStream in the worker) and a UTF-16 file without a BOM. The
 * screen shows rows read = imported + rejected for each.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, type LaunchedBrowser } from './launch';
import { startFixtureApp, type FixtureApp } from './fixture-app';

const TEXTS = ['胰岛素由胰岛β细胞分泌。', '阿司匹林成人常用量每日100毫克。', '叶酸可降低神经管缺陷风险。', '青霉素过敏者禁用阿莫西林。'];

let served: FixtureApp;
let browser: LaunchedBrowser;
let page: Page;
let dir: string;

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function accounting(): Promise<{ rows: number; items: number; rejected: number }> {
  const el = page.getByTestId('import-accounting');
  await el.waitFor({ timeout: 60_000 });
  return {
    rows: Number(await el.getAttribute('data-rows')),
    items: Number(await el.getAttribute('data-items')),
    rejected: Number(await el.getAttribute('data-rejected')),
  };
}

async function choose(path: string): Promise<void> {
  await page.goto(`${served.app.url}#/bench`);
  await page.getByRole('tab', { name: '数据集' }).click();
  await page.getByLabel('选择文件').setInputFiles(path);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'medfact-import-'));
  served = await startFixtureApp({ distDir: inject('distDir'), modelsDir: inject('fixtureModelsDir') });
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await served?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('importing real-world dataset files in the app', () => {
  it('asks which value means "has an error" for an ambiguous label column, then remembers it for the layout', async () => {
    const jsonl = TEXTS.map((text, i) => JSON.stringify({ id: `t${i}`, text, label: i % 2 === 0 })).join('\n');
    await choose(file('ambiguous.jsonl', jsonl));
    expect(await accounting()).toEqual({ rows: 4, items: 0, rejected: 4 });
    const question = page.getByTestId('import-label-question');
    await question.waitFor();
    await question.getByRole('button', { name: '“false”表示有误' }).click();
    await expect.poll(async () => (await accounting()).items, { timeout: 60_000 }).toBe(4);
    expect(await page.getByTestId('import-label-question').count()).toBe(0);
    await page.getByRole('button', { name: /保存数据集/ }).click();
    await page.getByText('已保存').waitFor({ timeout: 60_000 });

    // Another file with the same columns: the answer is applied without asking again.
    const again = TEXTS.map((text, i) => JSON.stringify({ id: `u${i}`, text, label: i < 2 })).join('\n');
    await choose(file('again.jsonl', again));
    await expect.poll(async () => (await accounting()).items, { timeout: 60_000 }).toBe(4);
    expect(await page.getByTestId('import-label-question').count()).toBe(0);
    expect(await page.getByTestId('import-label-polarity').inputValue()).toBe('correct');
    // true means correct here: 2 correct, 2 with an error.
    expect(await page.getByTestId('import-stats').textContent()).toContain('含错误 2 条，无错误 2 条');
  });

  it('reads a gzip-compressed CSV and a UTF-16 file without BOM, accounting for every row', async () => {
    const csv = ['id,text,has_error', ...TEXTS.map((t, i) => `${i},${t},${i % 2}`)].join('\n');
    await choose(file('data.csv.gz', gzipSync(Buffer.from(csv, 'utf8'))));
    expect(await accounting()).toEqual({ rows: 4, items: 4, rejected: 0 });

    const tsv = ['编号\t文本\t是否有误', ...TEXTS.map((t, i) => `${i}\t${t}\t${i % 2 ? '是' : '否'}`)].join('\n');
    await choose(file('wide.tsv', Buffer.from(tsv, 'utf16le')));
    expect(await accounting()).toEqual({ rows: 4, items: 4, rejected: 0 });
    expect(await page.getByText(/UTF-16 LE/).count()).toBeGreaterThan(0);
  });
});
