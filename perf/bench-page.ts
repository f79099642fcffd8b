/**
 * The bench-only page (perf/browser/) built once per suite run into
 * perf/out/browser, served locally and opened in headless Chromium; the
 * measurements call window.__bench through page.evaluate.
 */
import { join } from 'node:path';
import type { Page } from 'playwright';
import { launchBrowser, type LaunchedBrowser } from '../tests/browser/launch';
import { startAppServer, type AppServer } from '../tests/browser/static-server';
import { viteBuild } from './browser';
import { findProcess, treeCpuSeconds } from './process-cpu';

let built: Promise<string> | null = null;

/** Builds the bench page once per process. */
export function buildBenchPage(root: string): Promise<string> {
  built ??= (async () => {
    const out = join(root, 'perf', 'out', 'browser');
    await viteBuild(root, out, join(root, 'perf', 'browser', 'vite.config.ts'));
    return out;
  })();
  return built;
}

export interface BenchPage {
  page: Page;
  /** CPU seconds so far of every Chromium process of this browser (perf/process-cpu.ts); null where /proc cannot be read. */
  cpuSeconds(): number | null;
  close(): Promise<void>;
}

export async function openBenchPage(root: string, log: (line: string) => void): Promise<BenchPage> {
  log('building the bench page into perf/out/browser…');
  const dist = await buildBenchPage(root);
  const server: AppServer = await startAppServer({ dist });
  let browser: LaunchedBrowser | null = null;
  try {
    browser = await launchBrowser();
    const page = await browser.context.newPage();
    page.on('pageerror', (error) => log(`bench page error: ${error.message}`));
    await page.goto(server.url);
    await page.waitForSelector('main[data-ready=true]', { timeout: 60_000 });
    const opened = browser;
    const root = findProcess(`--user-data-dir=${browser.userDataDir}`);
    return {
      page,
      cpuSeconds: () => (root === null ? null : treeCpuSeconds(root)),
      async close() {
        await opened.close();
        await server.close();
      },
    };
  } catch (error) {
    await browser?.close();
    await server.close();
    throw error;
  }
}
