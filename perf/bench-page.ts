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
import { cpuSecondsBetween, findProcess, treeCpuSnapshot, type CpuSnapshot } from './process-cpu';

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
  /**
   * CPU time of every thread of every Chromium process of this browser (perf/process-cpu.ts): a snapshot now, and
   * the seconds between two snapshots; null where /proc cannot be read.
   */
  cpuSnapshot(): CpuSnapshot | null;
  close(): Promise<void>;
}

/** CPU seconds between two snapshots of the bench page's browser; null when either is missing. */
export function cpuSecondsSince(a: CpuSnapshot | null, b: CpuSnapshot | null): number | null {
  return a && b ? cpuSecondsBetween(a, b) : null;
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
      cpuSnapshot: () => (root === null ? null : treeCpuSnapshot(root)),
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
