/**
 * The one translation mechanism in the production build (src/i18n/catalog.ts):
 * - the feature namespaces (bench, selftest, library, formulary, models) are
 *   not in the first-paint JavaScript, which stays within its budget
 *   (perf/startup.ts measures the same set of chunks);
 * - a screen whose namespace loads lazily never shows a raw key: useT('bench')
 *   suspends until the namespace is there, so the route's 正在加载… shows
 *   instead, and in English the Chinese text never flashes either.
 * A MutationObserver installed before the app runs records every DOM state,
 * so a key shown for a single frame is caught.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { firstPaintChunks, HEAVY_MARKERS } from '../../perf/startup';
import { LOCALE_HINT_KEY } from '../../src/i18n/locale-store';
import { NAMESPACES, namespaceMessages, type NamespaceName } from '../../src/i18n/catalog';
import { launchBrowser, type LaunchedBrowser } from './launch';

const RAW_KEY = new RegExp(`\\b(?:${NAMESPACES.join('|')})\\.[A-Za-z][\\w.-]*`);

/** Records raw keys in text and labels, and every h1 text, from the first DOM mutation on. */
const WATCH = `(() => {
  const w = window;
  w.__i18n = { raw: [], headings: [] };
  const RAW = new RegExp(${JSON.stringify(RAW_KEY.source)});
  const note = (s) => { const m = s && s.match(RAW); if (m && !w.__i18n.raw.includes(m[0])) w.__i18n.raw.push(m[0]); };
  const scan = () => {
    const body = document.body;
    if (!body) return;
    note(body.innerText);
    for (const el of body.querySelectorAll('[aria-label],[placeholder],[title]')) {
      note(el.getAttribute('aria-label')); note(el.getAttribute('placeholder')); note(el.getAttribute('title'));
    }
    for (const h of body.querySelectorAll('h1')) if (!w.__i18n.headings.includes(h.textContent)) w.__i18n.headings.push(h.textContent);
  };
  new MutationObserver(scan).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
})();`;

const ROUTES: readonly { path: string; ns: NamespaceName; title: string }[] = [
  { path: 'bench', ns: 'bench', title: 'bench.title' },
  { path: 'selftest', ns: 'selftest', title: 'selftest.title' },
  { path: 'library', ns: 'library', title: 'library.title' },
  { path: 'formulary', ns: 'formulary', title: 'formulary.title' },
  { path: 'models', ns: 'models', title: 'models.title' },
];

async function titleOf(ns: NamespaceName, key: string, locale: 'zh-CN' | 'en'): Promise<string> {
  const tables = (await namespaceMessages(ns)) as Record<'zh-CN' | 'en', Record<string, string>>;
  const text = tables[locale][key];
  if (!text) throw new Error(`${ns} has no ${key}`);
  return text;
}

describe('translations in the production build', () => {
  const appUrl = inject('appUrl');
  const distDir = inject('distDir');
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    browser = await launchBrowser();
    await browser.context.addInitScript({ content: WATCH });
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** zh-CN is the default; English is chosen as a user would (the hint the settings keep), so it is saved for the later pages. */
  async function open(path: string, locale: 'zh-CN' | 'en'): Promise<Page> {
    const page = await browser.context.newPage();
    if (locale === 'en') await page.addInitScript(([key]) => localStorage.setItem(key, 'en'), [LOCALE_HINT_KEY] as const);
    await page.goto(`${appUrl}#/${path}`);
    return page;
  }

  const seen = (page: Page) => page.evaluate(() => (window as unknown as { __i18n: { raw: string[]; headings: string[] } }).__i18n);

  it('keeps every feature namespace out of the first-paint JavaScript, within the 250 kB budget', async () => {
    const chunks = await firstPaintChunks(distDir);
    const firstPaint = chunks.map((c) => readFileSync(join(distDir, c.file), 'utf8')).join('\n');
    const assets = join(distDir, 'assets');
    const everything = readdirSync(assets)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(assets, f), 'utf8'))
      .join('\n');
    expect(chunks.reduce((n, c) => n + c.gzipBytes, 0) / 1000).toBeLessThan(250);
    expect(chunks.flatMap((c) => c.heavy), HEAVY_MARKERS.map((h) => h.library).join(', ')).toEqual([]);
    // The scan sees keys: the shell's own are in the first paint.
    expect(firstPaint).toContain('app.name');
    for (const ns of NAMESPACES) {
      const keys = Object.keys((await namespaceMessages(ns))['zh-CN']);
      expect(keys.filter((k) => everything.includes(`"${k}"`) || everything.includes(`'${k}'`)).length, `${ns} keys in the build`).toBe(keys.length);
      expect(keys.filter((k) => firstPaint.includes(`"${k}"`) || firstPaint.includes(`'${k}'`)), `${ns} keys in the first paint`).toEqual([]);
    }
  });

  for (const route of ROUTES) {
    it(`opens #/${route.path} straight away in Chinese without a raw key`, async () => {
      const page = await open(route.path, 'zh-CN');
      const title = await titleOf(route.ns, route.title, 'zh-CN');
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      const { raw, headings } = await seen(page);
      expect(raw).toEqual([]);
      expect(headings).toEqual([title]);
      await page.close();
    });
  }

  it('opens the Benchmark in English with neither a raw key nor a flash of Chinese, and switches back', async () => {
    const page = await open('bench', 'en');
    const en = await titleOf('bench', 'bench.title', 'en');
    const zh = await titleOf('bench', 'bench.title', 'zh-CN');
    await page.getByRole('heading', { level: 1, name: en }).waitFor();
    await page.getByRole('tab', { name: 'New run' }).click();
    await page.locator('#bench-panel-new-run').waitFor();
    const { raw, headings } = await seen(page);
    expect(raw).toEqual([]);
    expect(headings).toEqual([en]);
    expect(headings).not.toContain(zh);
    // Back to Chinese in Settings, then the Benchmark again in the same page: the loaded namespace follows the locale.
    await page.goto(`${appUrl}#/settings`);
    await page.getByRole('radio', { name: '中文' }).check();
    await page.goto(`${appUrl}#/bench`);
    await page.getByRole('heading', { level: 1, name: zh }).waitFor();
    expect((await seen(page)).raw).toEqual([]);
    await page.close();
  });
});
