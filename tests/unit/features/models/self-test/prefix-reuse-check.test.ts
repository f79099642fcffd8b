/**
 * The self-test's prefix-reuse check: every prompt generated again with
 * `prefixReuse: false` must give the identical text, and reuse must have
 * saved prompt tokens. Engines here are FAKES (the scripted engine, wrapped
 * to report a prefix cache the way the transformers.js engine does); the
 * real engine is checked in the browser self-test (tests/browser/engine.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { SELFTEST_PROMPTS } from '../../../../../src/features/models/self-test/prompts';
import { planSelfTest, runSelfTest, type DisposableEngine } from '../../../../../src/features/models/self-test/run-self-test';
import type { GenerateParams, ModelSource } from '../../../../../src/protocol/engine';
import { MedfactError } from '../../../../../src/protocol/errors';
import { makeCaps } from '../../../../kit/capabilities';
import { fixtureVerifierEntry } from '../../../../kit/catalog-entries';
import { answerFor } from '../../../../kit/engine-scripts';
import { createScriptedEngine } from '../../../../kit/scripted-engine';

const ANSWER = answerFor([{ quote: '每次5克', med: true, fix: '每次0.5克', why: '剂量过大。' }]);
const SOURCE: ModelSource = { hubHost: 'http://127.0.0.1:9/', mirrorOnly: true };
const FIXTURE = fixtureVerifierEntry({ dtypes: ['fp32'], sizeBytes: 1000 });
const SHARED = 100;

interface FakeOptions {
  /** What load() says about reuse (undefined: nothing, like WebLLM). */
  reuses?: boolean;
  /** The text a call without reuse gives (default: the same answer). */
  withoutReuse?: (params: GenerateParams) => string;
  /** Throw on calls without reuse. */
  failWithoutReuse?: boolean;
  /** Say it reuses, but compute every prompt in full. */
  neverSaves?: boolean;
}

/** FAKE engine with a prefix cache: after the first prompt, each call with reuse computes SHARED tokens fewer. */
function fakeEngine(opts: FakeOptions, calls: GenerateParams[]): DisposableEngine {
  const scripted = createScriptedEngine(() => ANSWER, { charsPerToken: 1 });
  let seen = 0;
  return {
    load: async (spec, o) => ({ ...(await scripted.load(spec, o)), ...(opts.reuses !== undefined ? { prefixReuse: opts.reuses } : {}) }),
    generate: async (params, o) => {
      calls.push(params);
      if (params.prefixReuse === false) {
        if (opts.failWithoutReuse) throw new MedfactError('DEVICE_LOST', 'the device was lost');
        const r = await scripted.generate(params, o);
        return { ...r, text: opts.withoutReuse?.(params) ?? r.text, prefillTokens: r.promptTokens };
      }
      const r = await scripted.generate(params, o);
      const reused = opts.reuses && !opts.neverSaves && seen++ > 0 ? SHARED : 0;
      return { ...r, prefillTokens: r.promptTokens - reused };
    },
    score: (params, o) => scripted.score(params, o),
    unload: async () => undefined,
  };
}

async function selfTest(opts: FakeOptions, prefixReuse = true) {
  const calls: GenerateParams[] = [];
  const caps = makeCaps();
  const report = await runSelfTest({
    entry: FIXTURE,
    plan: planSelfTest(FIXTURE, caps, SOURCE),
    capabilities: caps,
    prompts: SELFTEST_PROMPTS,
    maxTokens: 200,
    prefixReuse,
    createEngine: () => fakeEngine(opts, calls),
  });
  return { report, calls };
}

describe('self-test prefix-reuse check', () => {
  it('passes when every output is identical without reuse and reuse computed fewer prompt tokens', async () => {
    const { report, calls } = await selfTest({ reuses: true });
    expect(report.format).toBe('medfact-selftest-v3');
    expect(report.settings.prefixReuse).toBe(true);
    expect(report.checks.prefixReuse).toBe('pass');
    for (const d of report.devices) {
      const check = d.prefixReuse!;
      expect(check.prompts.map((p) => p.promptId)).toEqual(SELFTEST_PROMPTS.map((p) => p.id));
      expect(check.prompts.every((p) => p.identical)).toBe(true);
      expect(check.prefillOff - check.prefillOn).toBe(SHARED * (SELFTEST_PROMPTS.length - 1));
      // The prompt run's outputs say what they computed, too.
      expect(d.outputs.map((o) => o.prefillTokens)).toEqual(check.prompts.map((p) => p.prefillOn));
    }
    // Each device generated each prompt once with and once without reuse.
    expect(calls.filter((c) => c.prefixReuse === false)).toHaveLength(SELFTEST_PROMPTS.length * 2);
  });

  it('fails, naming the prompt, when an output differs without reuse', async () => {
    const differs = SELFTEST_PROMPTS[1]!;
    const { report } = await selfTest({ reuses: true, withoutReuse: (p) => (p.messages === differs.messages ? '{"has_error":false,"errors":[]}' : ANSWER) });
    expect(report.checks.prefixReuse).toBe('fail');
    const rows = report.devices[0]!.prefixReuse!.prompts;
    expect(rows.filter((r) => !r.identical).map((r) => r.promptId)).toEqual([differs.id]);
  });

  it('fails when reuse saved nothing, and records an engine error without stopping the self-test', async () => {
    // An engine that says it reuses prefixes but computes every prompt in full.
    const { report: noSaving } = await selfTest({ reuses: true, neverSaves: true });
    expect(noSaving.checks.prefixReuse).toBe('fail');
    expect(noSaving.devices[0]!.prefixReuse!.prompts.every((p) => p.identical)).toBe(true);

    const { report } = await selfTest({ reuses: true, failWithoutReuse: true });
    expect(report.checks.prefixReuse).toBe('fail');
    expect(report.devices.every((d) => d.status === 'ok' && d.prefixReuse?.error?.code === 'DEVICE_LOST')).toBe(true);
    expect(report.checks.generation).toBe('pass');
  });

  it('is not run for engines that do not reuse prefixes (WebLLM), or when not asked', async () => {
    const webllmLike = await selfTest({});
    expect(webllmLike.report.checks.prefixReuse).toBe('not-run');
    expect(webllmLike.report.devices.every((d) => d.prefixReuse === null)).toBe(true);
    expect(webllmLike.calls.some((c) => c.prefixReuse === false)).toBe(false);
    const notAsked = await selfTest({ reuses: true }, false);
    expect(notAsked.report.checks.prefixReuse).toBe('not-run');
    expect(notAsked.report.settings.prefixReuse).toBe(false);
  });
});
