import { launchBrowser } from './tests/browser/launch';
import { startAppServer } from './tests/browser/static-server';
for (const locale of ['zh-CN', 'en']) {
  const app = await startAppServer({ dist: '/tmp/models-dist', appConfig: { locale } });
  const b = await launchBrowser({ viewport: { width: 1280, height: 720 } });
  const page = b.context.pages()[0] ?? (await b.context.newPage());
  await page.goto(`${app.url}#/models`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page.waitForTimeout(1500);
  await page.locator('[data-testid="catalog-runnable"]').uncheck();
  for (const w of [1280, 1150, 1101, 1100]) {
    await page.setViewportSize({ width: w, height: 800 });
    const m = await page.evaluate(() => {
      const panel = document.querySelector('.catalog') as HTMLElement;
      const table = document.querySelector('.catalog-table') as HTMLElement;
      return { doc: document.documentElement.scrollWidth, panel: panel.clientWidth, table: table.scrollWidth, height: document.documentElement.scrollHeight };
    });
    console.log(locale, w, JSON.stringify(m), m.doc > w ? 'PAGE OVERFLOW' : '', m.table > m.panel ? 'TABLE OVERFLOW' : '');
  }
  await b.close();
  await app.close();
}
