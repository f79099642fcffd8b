/**
 * A hospital's inference server in the real app, in headless Chromium: the
 * production build deployed through `npm run configure` with an
 * app-config.json naming the conformance server (real fixture inference) in
 * `inferenceEndpoints`. The CSP's connect-src names that host and blocks
 * others, the checker offers the server's model, the privacy line names the
 * server whenever it is selected, a check runs through it and records which
 * engine checked it, and no request goes anywhere but the app, the mirror
 * and the configured server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseCsp } from '../../src/domain/config/csp';
import { startOpenAIServer, type OpenAIServer } from '../fixtures/openai-server';
import { startFixtureApp, type FixtureApp } from './fixture-app';
import { launchBrowser, recordRequests, type LaunchedBrowser, type RequestLog } from './launch';

const MODEL = 'fixture/tiny-verifier-small';
const LABEL = '院内 GPU 服务器';

describe('checker through a configured inference server', () => {
  let server: OpenAIServer;
  let fixture: FixtureApp;
  let browser: LaunchedBrowser;
  let log: RequestLog;
  let text: string;

  beforeAll(async () => {
    const modelsDir = inject('fixtureModelsDir');
    text = (JSON.parse(readFileSync(join(modelsDir, MODEL, 'fixture.json'), 'utf8')) as { text: string }).text;
    server = await startOpenAIServer({ root: modelsDir });
    fixture = await startFixtureApp({
      distDir: inject('distDir'),
      modelsDir,
      config: { inferenceEndpoints: [{ id: 'gpu1', label: LABEL, baseUrl: server.url, models: [MODEL], judge: MODEL }] },
    });
    browser = await launchBrowser();
    log = recordRequests(browser.context);
  });

  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
    await server?.close();
  });

  it('the CSP names the server, a check runs through it, and the privacy line says where the text goes', async () => {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(`${fixture.app.url}#/check`);
    const serverOrigin = new URL(server.url).origin;

    // CSP: exactly the configured server is added to connect-src, and other hosts stay blocked.
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    const connect = parseCsp(policy ?? '').get('connect-src') ?? [];
    expect(connect).toContain(serverOrigin);
    const blocked = await page.evaluate(async () => {
      try {
        await fetch('http://127.0.0.1:9/v1/models');
        return false;
      } catch {
        return true;
      }
    });
    expect(blocked).toBe(true);

    // Local until the user picks the server.
    await expect.poll(() => page.getByTestId('check-privacy').getAttribute('data-remote')).toBe('false');
    const choice = `openai:gpu1/${MODEL}`;
    await page.getByTestId('check-verifier').selectOption(choice);
    await expect.poll(() => page.getByTestId('session-verifier').getAttribute('data-state'), { timeout: 60_000 }).toBe('ready');
    const privacy = page.getByTestId('check-privacy');
    expect(await privacy.getAttribute('data-remote')).toBe('true');
    expect(await privacy.textContent()).toBe(`文本将发送到 ${LABEL}（${new URL(server.url).host}），位于您的网络内。`);

    await page.getByTestId('check-input').fill(text);
    await page.getByTestId('check-run').click();
    await page.getByTestId('check-verdict').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('check-verdict').getAttribute('data-verdict')).toBe('has_error');
    expect(await page.getByTestId('check-span').count()).toBeGreaterThan(0);
    expect(server.requests.filter((r) => r.kind === 'generate').length).toBeGreaterThan(0);

    // The result records the engine that checked it (the Markdown report's model line and privacy sentence).
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('check-export-md').click()]);
    const report = readFileSync((await download.path()) as string, 'utf8');
    expect(report).toContain(choice);
    expect(report).toContain('院内推理服务器');

    expect(log.outside([fixture.app.url.replace(/\/$/, ''), fixture.mirror.url, serverOrigin].map((u) => new URL(u).origin))).toEqual([]);
  });
});
