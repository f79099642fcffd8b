/**
 * Privacy under the CSP: the app's policy also reaches the engine workers
 * (the server sends it as a header, as the README asks of deployments), so
 * a model host that the deployment's CSP does not name cannot be reached
 * from inside a worker either, even when app-config.json names it and
 * mirror-only is off. `npm run configure` is what allows a new host.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startMirrorServer, type MirrorServer } from '../fixtures/mirror-server';
import { launchBrowser, recordRequests, type LaunchedBrowser, type RequestLog } from './launch';
import { startAppServer, type AppServer } from './static-server';

const MODEL_ID = 'fixture/tiny-verifier-small';

describe('the CSP reaches the engine workers', () => {
  let mirror: MirrorServer;
  let app: AppServer;
  let browser: LaunchedBrowser;
  let log: RequestLog;

  beforeAll(async () => {
    mirror = await startMirrorServer({ root: inject('fixtureModelsDir') });
    // app-config.json names the mirror, but the build's CSP was never re-run with `npm run configure`.
    app = await startAppServer({
      dist: inject('distDir'),
      appConfig: {
        modelHost: mirror.url,
        mirrorOnly: false,
        defaultVerifier: MODEL_ID,
        catalog: [
          {
            id: MODEL_ID,
            engine: 'transformers',
            role: 'verifier',
            task: 'text-generation',
            dtypes: ['fp32'],
            sizeBytes: 100_000,
            label: { zh: '测试用小词表核查模型', en: 'Small-vocabulary test verifier' },
            description: { zh: '测试夹具。', en: 'A test fixture.' },
          },
        ],
      },
    });
    browser = await launchBrowser();
    log = recordRequests(browser.context);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await mirror?.close();
  });

  it('a worker cannot download from a host the CSP does not allow; the self-test reports the failure and nothing reaches the host', async () => {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(`${app.url}#/selftest`);
    await page.getByTestId('selftest-caps').waitFor();
    await page.getByTestId('selftest-run').click();
    const state = () => page.getByTestId('selftest-status').getAttribute('data-state');
    await expect.poll(state, { timeout: 120_000, interval: 500 }).not.toBe('running');
    // Both devices fail to load: the worker's fetch to the mirror is refused by the browser.
    const devices = page.getByTestId('selftest-device');
    await expect.poll(() => devices.count()).toBeGreaterThan(0);
    for (const status of await devices.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')))) {
      expect(status).not.toBe('done');
    }
    expect(mirror.requests.filter((r) => r.path.includes(MODEL_ID))).toEqual([]);
    expect(log.outside([app.origin])).toEqual([]);
  });
});
