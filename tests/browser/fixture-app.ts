/**
 * The production build configured the way a hospital would deploy it: a
 * copy of dist/ whose app-config.json names a local mirror serving the
 * fixture models (mirror-only), with the CSP rewritten by the real
 * `npm run configure` code, served on its own port.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { expect, inject } from 'vitest';
import { configureDist } from '../../scripts/configure';
import { startMirrorServer, type MirrorServer } from '../fixtures/mirror-server';
import { launchBrowser, type LaunchedBrowser } from './launch';
import { startAppServer, type AppServer } from './static-server';

export const FIXTURE_VERIFIER = 'fixture/tiny-verifier';
export const FIXTURE_REWARD = 'fixture/tiny-reward';

/** Deployment catalog entries for the fixture models (never in the built-in catalog). */
export function fixtureCatalog(): object[] {
  const common = { engine: 'transformers', dtypes: ['q8'], license: 'Apache-2.0' };
  return [
    {
      ...common,
      id: FIXTURE_VERIFIER,
      role: 'verifier',
      task: 'text-generation',
      sizeBytes: 11_500_000,
      contextTokens: 4096,
      label: { zh: '测试核查模型', en: 'Fixture verifier' },
      description: { zh: '测试用的微型模型', en: 'Tiny test model' },
    },
    {
      ...common,
      id: FIXTURE_REWARD,
      role: 'reward',
      task: 'text-classification',
      sizeBytes: 1_000_000,
      positiveLabel: 'error',
      label: { zh: '测试奖励模型', en: 'Fixture reward' },
      description: { zh: '测试用的微型分类器', en: 'Tiny test classifier' },
    },
  ];
}

/** A deployment catalog entry for one fixture text-generation model (fp32, transformers.js), as the verifier. */
export function fixtureModelEntry(id: string, label: { zh: string; en: string }, extra: Record<string, unknown> = {}): object {
  return {
    id,
    engine: 'transformers',
    role: 'verifier',
    task: 'text-generation',
    dtypes: ['fp32'],
    sizeBytes: 12_000_000,
    label,
    description: { zh: '测试夹具，不是真实模型。', en: 'A test fixture, not a real model.' },
    ...extra,
  };
}

export const CITE_VERIFIER = 'fixture/tiny-verifier-cite';
export const CITE_VERIFIER_LABEL = '测试引用核查模型';

/** The catalog entry of fixture/tiny-verifier-cite (its greedy answer-v2 cites passage [1]), in place of the plain fixture verifier's. */
export function citeVerifierEntry(): object {
  return { ...fixtureCatalog()[0], id: CITE_VERIFIER, label: { zh: CITE_VERIFIER_LABEL, en: 'Fixture citing verifier' } };
}

export interface FixtureApp {
  mirror: MirrorServer;
  app: AppServer;
  close(): Promise<void>;
}

export async function startFixtureApp(opts: { distDir: string; modelsDir: string; catalog?: object[]; config?: Record<string, unknown> }): Promise<FixtureApp> {
  const mirror = await startMirrorServer({ root: opts.modelsDir });
  const dir = mkdtempSync(join(tmpdir(), 'medfact-fixture-dist-'));
  cpSync(opts.distDir, dir, { recursive: true });
  const configPath = join(dir, 'test-config.json');
  writeFileSync(
    configPath,
    JSON.stringify({ modelHost: mirror.url, modelLibHost: `${mirror.url}/libs/`, mirrorOnly: true, catalog: opts.catalog ?? fixtureCatalog(), ...opts.config }),
  );
  configureDist({ configPath, distDir: dir });
  const app = await startAppServer({ dist: dir });
  return {
    mirror,
    app,
    async close() {
      await app.close();
      await mirror.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Installs a catalog model through the Models screen, as a user would, and waits until it is recorded installed. */
export async function installFromModelsScreen(page: Page, appUrl: string, id: string): Promise<void> {
  await page.goto(`${appUrl}#/models`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page.locator(`[data-testid="catalog-entry"][data-model-id="${id}"]`).getByTestId('install-button').click();
  // Also used from beforeAll, where expect.poll is not allowed: wait on the attribute instead.
  await page.locator(`[data-testid="model-status"][data-installed*="${id}"]`).first().waitFor({ timeout: 120_000 });
}

/**
 * Checks `text` on the checker screen as a user would (optionally first waiting for the reference-library switch to be
 * on) and waits for the verdict; says why when the check button stays disabled.
 */
export async function runFixtureCheck(page: Page, appUrl: string, text: string, opts: { library?: boolean } = {}): Promise<void> {
  await page.goto(`${appUrl}#/check`);
  if (opts.library) await expect.poll(() => page.getByTestId('check-use-library').isChecked(), { timeout: 30_000 }).toBe(true);
  await page.getByTestId('check-input').fill(text);
  const run = page.getByTestId('check-run');
  try {
    await expect.poll(() => run.isEnabled(), { timeout: 120_000 }).toBe(true);
  } catch (error) {
    throw new Error(`check-run stayed disabled: ${await page.getByTestId('check-run-reason').textContent()}`, { cause: error });
  }
  await run.click();
  await page.getByTestId('check-verdict').waitFor({ timeout: 120_000 });
}

/** The text a fixture model's fixed answer is about (its fixture.json). */
export function fixtureText(modelsDir: string, id: string): string {
  return (JSON.parse(readFileSync(join(modelsDir, id, 'fixture.json'), 'utf8')) as { text: string }).text;
}

export interface FixtureSession {
  served: FixtureApp;
  browser: LaunchedBrowser;
  page: Page;
  /** The verifier's fixture text. */
  text: string;
  close(): Promise<void>;
}

/** The fixture app with `catalog`, a browser on it, and `verifier` installed from the Models screen: how checker tests start. */
export async function openFixtureSession(opts: { verifier: string; catalog?: object[] }): Promise<FixtureSession> {
  const modelsDir = inject('fixtureModelsDir');
  const served = await startFixtureApp({ distDir: inject('distDir'), modelsDir, ...(opts.catalog ? { catalog: opts.catalog } : {}) });
  const browser = await launchBrowser();
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await installFromModelsScreen(page, served.app.url, opts.verifier);
  return {
    served,
    browser,
    page,
    text: fixtureText(modelsDir, opts.verifier),
    async close() {
      await browser.close().catch(() => undefined);
      await served.close();
    },
  };
}
