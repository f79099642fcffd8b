import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, type LaunchedBrowser } from './launch';

/**
 * IndexedDB round trip through the real app: the language chosen in the
 * settings screen is saved and comes back after a reload and a restart.
 */
describe('settings persist in IndexedDB', () => {
  const appUrl = inject('appUrl');
  let browser: LaunchedBrowser;
  let page: Page;
  const settingsUrl = `${appUrl}#/settings`;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  });

  afterAll(async () => {
    await browser?.close();
  });

  const heading = (p: Page, name: string) => p.getByRole('heading', { level: 1, name }).waitFor();

  it('starts in Chinese and switches to English from the settings screen', async () => {
    await page.goto(settingsUrl);
    await heading(page, '设置与关于');
    await page.getByRole('radio', { name: 'English' }).check();
    await heading(page, 'Settings & about');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Settings' }).waitFor();
  });

  it('keeps the choice after a reload', async () => {
    await page.reload();
    await heading(page, 'Settings & about');
    expect(await page.getByRole('radio', { name: 'English' }).isChecked()).toBe(true);
  });

  it('keeps the choice when only IndexedDB holds it (the localStorage hint is gone)', async () => {
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await heading(page, 'Settings & about');
  });

  it('keeps the choice after the browser restarts with the same profile, and switches back', async () => {
    const { userDataDir } = browser;
    await browser.context.close();
    const again = await launchBrowser({ userDataDir });
    try {
      const p = again.context.pages()[0] ?? (await again.context.newPage());
      await p.goto(settingsUrl);
      await heading(p, 'Settings & about');
      await p.getByRole('radio', { name: '中文' }).check();
      await heading(p, '设置与关于');
      await p.reload();
      await heading(p, '设置与关于');
    } finally {
      await again.context.close();
    }
  });
});
