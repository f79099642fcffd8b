/**
 * The embedder role end to end in real Chromium: the production build,
 * real IndexedDB and Cache Storage, and real ONNX inference through the
 * real transformers.js, with fixture/tiny-embedder (bag-of-characters
 * vectors) served by the test mirror.
 *
 * One reference document is a sentence of the checked text with its
 * characters reversed (the same characters, not one bigram or word in
 * common), under a title that shares nothing with the text either. A check
 * with keywords only (no embedder) does not retrieve it; after the embedder
 * is installed on the Models screen (it is then used by itself), the
 * References screen shows every passage embedded, the next check says its
 * retrieval was hybrid with that embedder and its 依据 panel lists the
 * reversed passage. Deleting that document removes its vectors from
 * IndexedDB.
 */
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITE_VERIFIER, citeVerifierEntry, installFromModelsScreen, openFixtureSession, runFixtureCheck, type FixtureSession } from './fixture-app';

const EMBEDDER = 'fixture/tiny-embedder';
const SENTENCE = '对青霉素过敏者禁用本品，用药前应详细询问过敏史';
const REVERSED = `${[...SENTENCE].reverse().join('')}。`;
const REVERSED_TITLE = '备忘';

const EMBEDDER_ENTRY = {
  id: EMBEDDER,
  engine: 'transformers',
  role: 'embedder',
  task: 'feature-extraction',
  dtypes: ['q8'],
  sizeBytes: 3_000_000,
  license: 'Apache-2.0',
  label: { zh: '测试检索向量模型', en: 'Fixture embedder' },
  description: { zh: '测试用的微型向量模型', en: 'Tiny test embedder' },
};

let session: FixtureSession | undefined;
let page: Page;
let text: string;
let appUrl: string;

beforeAll(async () => {
  session = await openFixtureSession({ verifier: CITE_VERIFIER, catalog: [citeVerifierEntry(), EMBEDDER_ENTRY] });
  ({ page, text } = session);
  appUrl = session.served.app.url;
}, 300_000);

afterAll(async () => {
  await session?.close();
});

/** The 依据 panel of the result shown: how it retrieved, and the documents of its passages. */
async function evidencePanel(): Promise<{ mode: string | null; embedder: string | null; docs: (string | null)[] }> {
  const panel = page.getByTestId('check-evidence');
  await panel.waitFor({ timeout: 60_000 });
  const line = panel.getByTestId('check-retrieval');
  return {
    mode: await line.getAttribute('data-mode'),
    embedder: await line.getAttribute('data-embedder'),
    docs: await panel.getByTestId('evidence-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-doc-id'))),
  };
}

/** The vectors stored in the library database, as the app wrote them. */
function storedVectors(): Promise<{ id: string; docId: string; model: string; dims: number }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('medfact-library');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction('vectors').objectStore('vectors').getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            db.close();
            resolve((all.result as { id: string; docId: string; model: string; vector: Float32Array }[]).map((v) => ({ id: v.id, docId: v.docId, model: v.model, dims: v.vector.length })));
          };
        };
      }),
  );
}

describe('the embedder role: hybrid retrieval in the checker', () => {
  let reversedDoc: string | null = null;

  it('without an embedder, a keyword check does not find the passage that shares no bigram with the text', async () => {
    expect(text).toContain(SENTENCE);
    await page.goto(`${appUrl}#/library`);
    await page.getByTestId('library-import').setInputFiles([
      { name: '阿莫西林胶囊说明书.txt', mimeType: 'text/plain', buffer: Buffer.from('【用法用量】阿莫西林成人口服常用剂量为每次0.5克，每8小时一次。') },
      { name: '乙肝疫苗.txt', mimeType: 'text/plain', buffer: Buffer.from('乙肝疫苗全程接种3剂，按0、1、6个月程序接种。') },
      { name: `${REVERSED_TITLE}.txt`, mimeType: 'text/plain', buffer: Buffer.from(REVERSED) },
    ]);
    const docs = page.getByTestId('library-doc');
    await expect.poll(() => docs.count(), { timeout: 60_000 }).toBe(3);
    reversedDoc = await docs.filter({ hasText: REVERSED_TITLE }).getAttribute('data-doc-id');
    expect(reversedDoc).toBeTruthy();
    // No embedder installed: the panel says so, and offers none.
    expect(await page.getByTestId('library-embed-progress').getAttribute('data-state')).toBe('off');

    await runFixtureCheck(page, appUrl, text, { library: true });
    const panel = await evidencePanel();
    expect(panel.mode).toBe('lexical');
    expect(panel.docs.length).toBeGreaterThan(0);
    expect(panel.docs).not.toContain(reversedDoc);
  }, 300_000);

  it('installs the embedder, embeds every passage, and the next check is hybrid and finds that passage', async () => {
    await installFromModelsScreen(page, appUrl, EMBEDDER);
    await page.goto(`${appUrl}#/library`);
    const progress = page.getByTestId('library-embed-progress');
    await expect.poll(() => progress.getAttribute('data-state'), { timeout: 120_000 }).toBe('done');
    expect(await progress.getAttribute('data-model')).toBe(EMBEDDER);
    expect(await progress.getAttribute('data-total')).toBe('3');
    expect(await progress.getAttribute('data-done')).toBe('3');
    expect(await page.getByTestId('library-embedder').inputValue()).toContain(EMBEDDER);

    const vectors = await storedVectors();
    expect(vectors).toHaveLength(3);
    expect(new Set(vectors.map((v) => v.model))).toEqual(new Set([`${EMBEDDER}#32`]));
    expect(vectors.every((v) => v.dims === 32)).toBe(true);

    await runFixtureCheck(page, appUrl, text, { library: true });
    await expect.poll(async () => (await evidencePanel()).mode, { timeout: 120_000 }).toBe('hybrid');
    const panel = await evidencePanel();
    expect(panel.embedder).toBe(EMBEDDER);
    expect(panel.docs).toContain(reversedDoc);
  }, 300_000);

  it('deleting a document removes its vectors', async () => {
    await page.goto(`${appUrl}#/library`);
    const docs = page.getByTestId('library-doc');
    await expect.poll(() => docs.count(), { timeout: 30_000 }).toBe(3);
    await docs.filter({ hasText: REVERSED_TITLE }).getByTestId('library-delete').click();
    await expect.poll(() => docs.count()).toBe(2);
    await expect.poll(async () => (await storedVectors()).map((v) => v.docId).includes(reversedDoc as string)).toBe(false);
    expect(await storedVectors()).toHaveLength(2);
    await expect.poll(() => page.getByTestId('library-embed-progress').getAttribute('data-total')).toBe('2');
  }, 300_000);
});
