/**
 * Real inference in the app's own engine workers (no mocked engine): the
 * production build, configured by app-config.json to download only from a
 * local mirror, runs the hardware self-test with fixture/tiny-verifier
 * through transformers.js on WebGPU (Chromium's software adapter) and on
 * WASM, each in its own worker. The fixture model greedily emits the answer
 * in its fixture.json for any chat prompt, so both devices must produce
 * exactly that text, agree 100%, and the app may talk only to its own
 * origin and the mirror.
 *
 * The same run covers the rest of the engine contract on both devices:
 * streaming (chunks before the result that add up to it), interrupt
 * (AbortError, then a working generation), judge scoring from logits, and
 * the reward classifier fixture/tiny-reward with the scores its fixture.json
 * documents.
 *
 * The screen is reached at `#/selftest` (the route the app shell wires).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SELFTEST_CLASSIFY_CASES, SELFTEST_JUDGE_CASES } from '../../src/features/models/self-test/prompts';
import type { SelfTestReport } from '../../src/features/models/self-test/run-self-test';
import type { MirrorServer } from '../fixtures/mirror-server';
import { launchBrowser, recordRequests, type LaunchedBrowser, type RequestLog } from './launch';
import type { AppServer } from './static-server';
import { fixtureModelEntry, startFixtureApp, type FixtureApp } from './fixture-app';

const MODEL_ID = 'fixture/tiny-verifier';
const REWARD_ID = 'fixture/tiny-reward';
const DEVICES = ['webgpu', 'wasm'] as const;
/**
 * What the judge must read from fixture/tiny-verifier. Its logits are a
 * one-hot row (tests/fixtures/onnx/decoder-graph.ts): at the prompt's last
 * position the graph puts 20 on the first answer token (`{"`, id 4913) and 0
 * on every other id. 是 (20412) and 否 (32376) are both "other", so
 * logit(是) = logit(否) = 0 and p(是)/(p(是)+p(否)) = sigmoid(0) = 0.5 exactly,
 * on any device whose kernels compute the graph right.
 */
const EXPECTED_JUDGE_SCORE = 0.5;
const JUDGE_TOLERANCE = 0.02;
/** fixture.json documents P(error) analytically; fp32 on either device must match it closely. */
const CLASSIFY_TOLERANCE = 1e-3;
/** The answer is 64 tokens plus the end token; leave room so the end token is generated too. */
const MAX_TOKENS = 80;

interface ReportShape {
  model: { id: string; engine: string };
  settings: { maxTokens: number; promptIds: string[] };
  capabilities: { webgpu: { available: boolean; adapter?: { vendor: string; architecture: string } } };
  devices: {
    device: string;
    status: string;
    ranOnRequestedDevice?: boolean;
    load?: { device: string; engine: string; dtype: string; loadMs: number; warmupMs: number; library: string };
    outputs: { promptId: string; text: string; completionTokens: number; finishReason: string }[];
    throughput: { prefillTokensPerSec: number | null; decodeTokensPerSec: number | null } | null;
  }[];
  agreement: { summary: { exactShare: number; meanTokenAgreement: number; prompts: number } } | null;
  outcome: string;
}

interface RewardFixture {
  cases: { name: string; text: string; text_pair?: string; probabilities: { correct: number; error: number } }[];
}

describe('real inference in the engine worker (self-test screen)', () => {
  const distDir = inject('distDir');
  const modelsDir = inject('fixtureModelsDir');
  let mirror: MirrorServer;
  let app: AppServer;
  let served: FixtureApp | undefined;
  let browser: LaunchedBrowser;
  let page: Page;
  let log: RequestLog;
  const consoleErrors: string[] = [];
  let answer: string;
  let rewardFixture: RewardFixture;
  /** The report as the app's own type: the new checks are read from it. */
  const readReport = async () => JSON.parse(await page.getByTestId('selftest-report').inputValue()) as SelfTestReport;

  beforeAll(async () => {
    expect(modelsDir, 'the global setup must build the fixture models').not.toBe('');
    answer = (JSON.parse(readFileSync(join(modelsDir, MODEL_ID, 'fixture.json'), 'utf8')) as { answer: string }).answer;
    rewardFixture = JSON.parse(readFileSync(join(modelsDir, REWARD_ID, 'fixture.json'), 'utf8')) as RewardFixture;
    served = await startFixtureApp({
      distDir,
      modelsDir,
      config: { defaultVerifier: MODEL_ID },
      catalog: [
        fixtureModelEntry(MODEL_ID, { zh: '测试用微型核查模型', en: 'Tiny test verifier' }),
        {
          id: REWARD_ID,
          engine: 'transformers',
          role: 'reward',
          task: 'text-classification',
          dtypes: ['fp32'],
          sizeBytes: 100_000,
          label: { zh: '测试用微型奖励模型', en: 'Tiny test reward classifier' },
          description: { zh: '测试夹具，不是真实模型。', en: 'A test fixture, not a real model.' },
        },
      ],
    });
    ({ mirror, app } = served);
    browser = await launchBrowser();
    log = recordRequests(browser.context);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('shows the capability probe with a WebGPU adapter', async () => {
    await page.goto(`${app.url}#/selftest`);
    await page.getByRole('heading', { level: 1, name: '硬件自检' }).waitFor();
    const caps = page.getByTestId('selftest-caps');
    await caps.waitFor();
    expect(await caps.getAttribute('data-webgpu')).toBe('true');
    const adapterRow = caps.locator('tr[data-cap="adapter"] td');
    expect((await adapterRow.innerText()).trim().length).toBeGreaterThan(0);
    await caps.locator('tr[data-cap="shader-f16"]').waitFor();
    await caps.locator('tr[data-cap="isolated"]').waitFor();
    await caps.locator('tr[data-cap="threads"]').waitFor();
  });

  it('runs fixture/tiny-verifier on WebGPU and on WASM, each giving the fixture answer exactly', async () => {
    const picker = page.getByLabel('模型', { exact: true });
    await picker.selectOption(`transformers:${MODEL_ID}`);
    await page.getByLabel('奖励分类模型（可选）').selectOption(`transformers:${REWARD_ID}`);
    await page.getByLabel('每条提示最多生成的词元数').fill(String(MAX_TOKENS));
    await page.getByTestId('selftest-run').click();

    const status = page.getByTestId('selftest-status');
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 5_000 }).toBe('running');
    await expect
      .poll(() => status.getAttribute('data-state'), { timeout: 240_000, interval: 500 })
      .not.toBe('running');
    expect(await status.getAttribute('data-state'), `status: ${await status.innerText()}; console: ${consoleErrors.join(' | ')}`).toBe('done');

    const results = await page.getByTestId('selftest-result').evaluateAll((els) =>
      els.map((el) => ({ device: el.getAttribute('data-device'), prompt: el.getAttribute('data-prompt'), text: el.getAttribute('data-text') })),
    );
    const byDevice = (device: string) => results.filter((r) => r.device === device);
    expect(byDevice('webgpu').length).toBeGreaterThanOrEqual(1);
    expect(byDevice('webgpu').length).toBe(byDevice('wasm').length);
    for (const r of results) expect(r.text, `${r.device} ${r.prompt}`).toBe(answer);

    const agreement = page.getByTestId('selftest-agreement');
    expect(await agreement.getAttribute('data-outcome')).toBe('agree');
    expect(Number(await agreement.getAttribute('data-exact-share'))).toBe(1);
    expect(Number(await agreement.getAttribute('data-token-agreement'))).toBe(1);
    await agreement.getByText('两种设备的输出完全一致。').waitFor();
  }, 280_000);

  it('really ran on WebGPU in one worker and on WASM in the other, and reports speeds', async () => {
    const gpuRow = page.locator('[data-testid="selftest-device"][data-device="webgpu"]');
    const wasmRow = page.locator('[data-testid="selftest-device"][data-device="wasm"]');
    expect(await gpuRow.getAttribute('data-status')).toBe('ok');
    expect(await gpuRow.getAttribute('data-loaded-device')).toBe('webgpu');
    expect(await wasmRow.getAttribute('data-status')).toBe('ok');
    expect(await wasmRow.getAttribute('data-loaded-device')).toBe('wasm');

    const report = JSON.parse(await page.getByTestId('selftest-report').inputValue()) as ReportShape;
    expect(report.model).toEqual({ id: MODEL_ID, engine: 'transformers' });
    expect(report.settings.maxTokens).toBe(MAX_TOKENS);
    expect(report.capabilities.webgpu.available).toBe(true);
    expect(report.capabilities.webgpu.adapter).toBeDefined();
    expect(report.outcome).toBe('agree');
    expect(report.agreement?.summary).toEqual({ exactShare: 1, meanTokenAgreement: 1, prompts: report.settings.promptIds.length });
    for (const device of ['webgpu', 'wasm']) {
      const run = report.devices.find((d) => d.device === device);
      expect(run?.status, device).toBe('ok');
      expect(run?.ranOnRequestedDevice, device).toBe(true);
      expect(run?.load).toMatchObject({ device, engine: 'transformers', dtype: 'fp32' });
      expect(run?.load?.library).toMatch(/^transformers\.js /);
      expect(run?.load?.warmupMs).toBeGreaterThan(0);
      expect(run?.outputs.map((o) => o.promptId)).toEqual(report.settings.promptIds);
      for (const o of run?.outputs ?? []) {
        expect(o.text).toBe(answer);
        // 64 answer tokens and the end token, which stops generation before the limit.
        expect(o.completionTokens).toBe(65);
        expect(o.finishReason).toBe('stop');
      }
      expect(run?.throughput?.prefillTokensPerSec, device).toBeGreaterThan(0);
      expect(run?.throughput?.decodeTokensPerSec, device).toBeGreaterThan(0);
    }
    // The user sees the same figures in the table.
    expect(await gpuRow.locator('td').nth(5).innerText()).not.toBe('—');
  });

  it('streamed every generation on both devices: chunks before the result that add up to it', async () => {
    const report = await readReport();
    for (const device of DEVICES) {
      const run = report.devices.find((d) => d.device === device);
      expect(run?.outputs.length, device).toBe(report.settings.promptIds.length);
      for (const o of run?.outputs ?? []) {
        // The worker coalesces pieces (one message per 25 ms at most), so one chunk is allowed; none is not.
        expect(o.stream.chunks, device).toBeGreaterThanOrEqual(1);
        expect(o.stream.firstChunkBeforeResult, device).toBe(true);
        expect(o.stream.firstChunkMs, device).toBeGreaterThanOrEqual(0);
        expect(o.stream.concatMatches, device).toBe(true);
        expect(o.text).toBe(answer);
      }
      expect(run?.streaming).toMatchObject({ allConcatMatch: true, allFirstBeforeResult: true, passed: true });
      const row = page.locator(`[data-testid="selftest-stream"][data-device="${device}"]`);
      expect(await row.getAttribute('data-concat-match')).toBe('true');
      expect(await row.getAttribute('data-first-before-result')).toBe('true');
      expect(Number(await row.getAttribute('data-min-chunks'))).toBeGreaterThanOrEqual(1);
      expect(await row.getAttribute('data-status')).toBe('pass');
    }
    expect(report.checks.streaming).toBe('pass');
  });

  it('interrupted a generation on both devices: AbortError, nothing after, then a working generation', async () => {
    const report = await readReport();
    for (const device of DEVICES) {
      const check = report.devices.find((d) => d.device === device)?.interrupt;
      expect(check, device).toMatchObject({ cancelled: 'abort-error', chunksBeforeAbort: 1, chunksAfterAbort: 0, followUp: { ok: true, completionTokens: 16 } });
      // Greedy: the follow-up is the first 16 tokens of the fixture answer.
      const followText = check?.followUp.ok ? check.followUp.text : '';
      expect(followText.length, device).toBeGreaterThan(0);
      expect(answer.startsWith(followText), device).toBe(true);
      const row = page.locator(`[data-testid="selftest-interrupt"][data-device="${device}"]`);
      expect(await row.getAttribute('data-abort-error')).toBe('true');
      expect(await row.getAttribute('data-chunks-after-abort')).toBe('0');
      expect(await row.getAttribute('data-follow-up')).toBe('ok');
    }
  });

  it('scored the judge questions from logits on both devices: p(是)/(p(是)+p(否)) = 0.5, agreeing within 0.02', async () => {
    const report = await readReport();
    for (const device of DEVICES) {
      const judge = report.devices.find((d) => d.device === device)?.judge;
      expect(judge?.error, device).toBeUndefined();
      expect(judge?.scores.map((s) => s.caseId)).toEqual(SELFTEST_JUDGE_CASES.map((c) => c.id));
      for (const s of judge?.scores ?? []) {
        expect(s.score, `${device} ${s.caseId}`).toBeGreaterThan(0);
        expect(s.score, `${device} ${s.caseId}`).toBeLessThan(1);
        expect(s.score, `${device} ${s.caseId}`).toBeCloseTo(EXPECTED_JUDGE_SCORE, 6);
        // Neither answer word is the predicted token: both logits are the one-hot's 0, both probabilities tiny and equal.
        expect(s.raw).toMatchObject({ logitYes: 0, logitNo: 0 });
        expect(s.raw.pYes).toBeGreaterThan(0);
        expect(s.raw.pYes).toBeCloseTo(s.raw.pNo ?? -1, 12);
      }
      const cells = await page.locator(`[data-testid="selftest-judge"][data-device="${device}"]`).evaluateAll((els) =>
        els.map((el) => [el.getAttribute('data-case'), Number(el.getAttribute('data-score'))] as const),
      );
      expect(cells.map(([id]) => id)).toEqual(SELFTEST_JUDGE_CASES.map((c) => c.id));
      for (const [, score] of cells) expect(score).toBeCloseTo(EXPECTED_JUDGE_SCORE, 6);
    }
    expect(report.judgeAgreement?.perCase).toHaveLength(SELFTEST_JUDGE_CASES.length);
    expect(report.judgeAgreement?.maxDiff).toBeLessThan(JUDGE_TOLERANCE);
    expect(report.judgeAgreement?.passed).toBe(true);
    expect(await page.getByTestId('selftest-judge-agreement').getAttribute('data-status')).toBe('pass');
    expect(report.checks.judge).toBe('pass');
  });

  it('scored fixture/tiny-reward on both devices with the scores its fixture.json documents', async () => {
    const report = await readReport();
    expect(report.classifier?.model.id).toBe(REWARD_ID);
    for (const device of DEVICES) {
      const run = report.classifier?.devices.find((d) => d.device === device);
      expect(run, device).toMatchObject({ status: 'ok', ranOnRequestedDevice: true, load: { device } });
      expect(run?.scores.map((s) => s.caseId)).toEqual(SELFTEST_CLASSIFY_CASES.map((c) => c.id));
      for (const c of SELFTEST_CLASSIFY_CASES) {
        const documented = rewardFixture.cases.find((f) => f.text === c.text && f.text_pair === c.textPair);
        expect(documented, `fixture.json documents the self-test pair ${c.id}`).toBeDefined();
        const score = run?.scores.find((s) => s.caseId === c.id)?.score ?? Number.NaN;
        expect(Math.abs(score - (documented?.probabilities.error ?? Number.NaN)), `${device} ${c.id}`).toBeLessThan(CLASSIFY_TOLERANCE);
        const cell = page.locator(`[data-testid="selftest-classify"][data-device="${device}"][data-case="${c.id}"]`);
        expect(Number(await cell.getAttribute('data-score'))).toBeCloseTo(score, 12);
      }
    }
    expect(report.classifier?.agreement?.passed).toBe(true);
    expect(await page.getByTestId('selftest-classify-agreement').getAttribute('data-status')).toBe('pass');
    expect(report.checks).toEqual({ generation: 'pass', streaming: 'pass', judge: 'pass', interrupt: report.checks.interrupt, prefixReuse: 'pass', classifier: 'pass' });
  });

  it('downloaded the model from the mirror and talked to nothing but the app and the mirror', () => {
    const mirrorOrigin = new URL(mirror.url).origin;
    expect(log.outside([app.origin, mirrorOrigin])).toEqual([]);
    const gets = mirror.requests.filter((r) => r.method === 'GET' && r.status < 400).map((r) => r.path);
    expect(gets).toContain(`/${MODEL_ID}/resolve/main/config.json`);
    expect(gets).toContain(`/${MODEL_ID}/resolve/main/onnx/model.onnx`);
    expect(gets).toContain(`/${REWARD_ID}/resolve/main/onnx/model.onnx`);
    // The onnxruntime runtime came from the app itself, not a CDN.
    expect(log.urls.some((u) => u.startsWith(app.origin) && /ort-wasm-simd-threaded\.asyncify.*\.wasm$/.test(u))).toBe(true);
  });
});
