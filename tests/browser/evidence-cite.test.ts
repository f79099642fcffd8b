/**
 * A finding that cites its evidence, end to end: a TXT, a DOCX and a Chinese
 * PDF (printed by headless Chromium in this test) are imported in 参考资料;
 * checking the fixture text with fixture/tiny-verifier-cite (a real tiny
 * model whose greedy answer-v2 cites passage [1]) shows on the finding card
 * the PDF passage that states the correct dose, with its title and page.
 * An offline reload keeps the library and its index (searching it offline
 * finds the same passage, and a check run offline cites it again); deleting the
 * PDF removes its passage from the next check's evidence.
 */
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeChinesePdf, makeDocx } from '../fixtures/evidence/make-documents';
import { CITE_VERIFIER, citeVerifierEntry, openFixtureSession, runFixtureCheck, type FixtureApp, type FixtureSession } from './fixture-app';

const PDF_TITLE = '阿莫西林胶囊说明书';
const DOSE = '成人口服常用剂量为每次0.5克';

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

async function runCheck(): Promise<void> {
  await runFixtureCheck(page, served.app.url, text, { library: true });
  await page.getByTestId('check-finding').first().waitFor({ timeout: 120_000 });
}

/** The cited passages of the first finding card: doc id, passage id, page, rank, text. */
async function citations(): Promise<{ doc: string | null; passage: string | null; page: string | null; rank: string | null; text: string }[]> {
  return page
    .getByTestId('check-finding')
    .first()
    .getByTestId('evidence-item')
    .evaluateAll((els) =>
      els.map((e) => ({
        doc: e.getAttribute('data-doc-id'),
        passage: e.getAttribute('data-passage-id'),
        page: e.getAttribute('data-page'),
        rank: e.getAttribute('data-rank'),
        text: e.textContent ?? '',
      })),
    );
}

describe('a finding cites the passage it rests on', () => {
  let pdfDocId: string | null = null;

  it('imports a TXT, a DOCX and a Chinese PDF, and the finding cites the PDF page stating the correct dose', async () => {
    await page.goto(`${served.app.url}#/library`);
    const pdf = await makeChinesePdf(PDF_TITLE, [
      ['【性状】本品为胶囊剂，内容物为白色或类白色粉末。', '【贮藏】遮光，密封，在干燥处保存。'],
      [`【用法用量】阿莫西林${DOSE}，每8小时一次，疗程一般为7至10天。`, '【禁忌】对青霉素过敏者禁用本品。'],
    ]);
    const docx = await makeDocx(['【用法用量】二甲双胍起始剂量为一次0.5g，一日2次，随餐服用。', '【禁忌】严重肾功能不全患者禁用。']);
    await page.getByTestId('library-import').setInputFiles([
      { name: `${PDF_TITLE}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from(pdf) },
      { name: '二甲双胍用药指导.docx', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', buffer: Buffer.from(docx) },
      { name: '乙肝疫苗.txt', mimeType: 'text/plain', buffer: Buffer.from('乙肝疫苗全程接种3剂，按0、1、6个月程序接种。') },
    ]);
    const docs = page.getByTestId('library-doc');
    await expect.poll(() => docs.count(), { timeout: 60_000 }).toBe(3);
    pdfDocId = await docs.filter({ hasText: PDF_TITLE }).getAttribute('data-doc-id');
    expect(pdfDocId).toBeTruthy();

    await runCheck();
    const cited = await citations();
    expect(cited).toHaveLength(1);
    const [c] = cited;
    expect(c!.doc).toBe(pdfDocId);
    expect(c!.page).toBe('2');
    expect(c!.rank).toBe('1');
    expect(c!.passage).toMatch(new RegExp(`^${pdfDocId}:`));
    expect(c!.text).toContain(PDF_TITLE);
    expect(c!.text).toContain('每次0.5克');
    expect(await page.getByTestId('check-finding').first().getByTestId('evidence-none').count()).toBe(0);
  }, 300_000);

  it('keeps the library and its index through an offline reload, and cites the same passage after it', async () => {
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    const before = await citations();
    await session!.browser.context.setOffline(true);
    try {
      await page.goto(`${served.app.url}#/library`);
      await page.reload();
      await expect.poll(() => page.getByTestId('library-doc').count(), { timeout: 60_000 }).toBe(3);
      await page.getByTestId('library-search').fill('阿莫西林 成人 剂量');
      const hit = page.getByTestId('library-hit').first();
      await hit.waitFor({ timeout: 60_000 });
      expect(await hit.getAttribute('data-doc-id')).toBe(pdfDocId);
      expect(await hit.getAttribute('data-passage-id')).toBe(before[0]!.passage);
      expect(await hit.getAttribute('data-page')).toBe('2');
      // The whole promise, offline: the model installed on the first visit (before the service worker controlled
      // the page) loads from this device and checks the text against the stored library.
      await runCheck();
      expect(await citations()).toEqual(before);
    } finally {
      await session!.browser.context.setOffline(false);
    }
    // A fresh page load checks against the stored library: the same citation.
    await page.reload();
    await runCheck();
    expect(await citations()).toEqual(before);
  }, 300_000);

  it('no longer retrieves the PDF’s passages once the PDF is deleted', async () => {
    await page.goto(`${served.app.url}#/library`);
    const docs = page.getByTestId('library-doc');
    await expect.poll(() => docs.count(), { timeout: 30_000 }).toBe(3);
    await docs.filter({ hasText: PDF_TITLE }).getByTestId('library-delete').click();
    await expect.poll(() => docs.count()).toBe(2);

    await runCheck();
    const panel = page.getByTestId('check-evidence');
    await panel.waitFor({ timeout: 60_000 });
    const retrieved = () => panel.getByTestId('evidence-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-doc-id')));
    // The new result replaces the one shown before the run: wait for it.
    await expect.poll(async () => (await retrieved()).includes(pdfDocId), { timeout: 120_000 }).toBe(false);
    expect((await retrieved()).length).toBeGreaterThan(0);
    expect((await citations()).map((c) => c.doc)).not.toContain(pdfDocId);
  }, 300_000);
});
