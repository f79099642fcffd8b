/**
 * The self-test's checks end to end on scripted engines: streaming, judge
 * scores and their WebGPU/WASM agreement, interrupt, and the optional reward
 * classifier, each with its verdict in the report.
 */
import { describe, expect, it } from 'vitest';
import type { CatalogModel } from '../../../../../src/domain/catalog/schema';
import { SELFTEST_CLASSIFY_CASES, SELFTEST_JUDGE_CASES, SELFTEST_PROMPTS } from '../../../../../src/features/models/self-test/prompts';
import {
  planClassifier,
  planSelfTest,
  reportToJson,
  runSelfTest,
  type DisposableEngine,
  type SelfTestDevice,
  type SelfTestEvent,
} from '../../../../../src/features/models/self-test/run-self-test';
import type { ModelSource, ScoreParams } from '../../../../../src/protocol/engine';
import { MedfactError } from '../../../../../src/protocol/errors';
import { createScriptedEngine } from '../../../../kit/scripted-engine';
import { makeCaps } from '../../../../kit/capabilities';
import { fixtureVerifierEntry } from '../../../../kit/catalog-entries';
import { answerFor } from '../../../../kit/engine-scripts';

const ANSWER = answerFor([{ quote: '每次5克', med: true, fix: '每次0.5克', why: '剂量过大。' }]);
const SOURCE: ModelSource = { hubHost: 'http://127.0.0.1:9/', mirrorOnly: true };
const VERIFIER = fixtureVerifierEntry({ dtypes: ['fp32'], sizeBytes: 1000 });
const REWARD: CatalogModel = { ...VERIFIER, id: 'fixture/tiny-reward', role: 'reward', task: 'text-classification' };

interface EngineScript {
  /** Judge score per case id (default 0.5). */
  judge?: (caseIndex: number) => number;
  /** Classifier score per case index. */
  classify?: (caseIndex: number) => number;
  scoreError?: Error;
  /** Break streaming: drop every other chunk. */
  dropChunks?: boolean;
}

function factory(scripts: Partial<Record<SelfTestDevice, EngineScript>> = {}) {
  const created: string[] = [];
  const scoreCalls: { device: SelfTestDevice; params: ScoreParams }[] = [];
  const make = (device: SelfTestDevice): DisposableEngine => {
    created.push(device);
    const s = scripts[device] ?? {};
    let judged = 0;
    let classified = 0;
    const scripted = createScriptedEngine([ANSWER], {
      charsPerToken: 1,
      timings: { prefillMs: 10, decodeMs: 20 },
      score: (params) => (params.kind === 'judge' ? (s.judge?.(judged++) ?? 0.5) : (s.classify?.(classified++) ?? 0.25)),
    });
    return {
      ...scripted,
      generate: (params, options) => {
        let n = 0;
        const onChunk = options?.onChunk;
        return scripted.generate(params, {
          ...(options?.signal ? { signal: options.signal } : {}),
          ...(onChunk ? { onChunk: (c) => (s.dropChunks && n++ % 2 === 1 ? undefined : onChunk(c)) } : {}),
        });
      },
      score: async (params, options) => {
        scoreCalls.push({ device, params });
        if (s.scoreError) throw s.scoreError;
        return scripted.score(params, options);
      },
    };
  };
  return { make, created, scoreCalls };
}

function run(f: ReturnType<typeof factory>, opts: { caps?: ReturnType<typeof makeCaps>; classifier?: CatalogModel; onEvent?: (e: SelfTestEvent) => void } = {}) {
  const caps = opts.caps ?? makeCaps();
  return runSelfTest({
    entry: VERIFIER,
    plan: planSelfTest(VERIFIER, caps, SOURCE),
    capabilities: caps,
    prompts: SELFTEST_PROMPTS,
    maxTokens: 200,
    judgeCases: SELFTEST_JUDGE_CASES,
    interrupt: true,
    ...(opts.classifier ? { classifier: { entry: opts.classifier, plan: planClassifier(opts.classifier, caps, SOURCE), cases: SELFTEST_CLASSIFY_CASES } } : {}),
    createEngine: f.make,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  });
}

describe('the fixed judge and classifier cases', () => {
  it('has one judge question per fixed prompt, asking 是 against 否 about a fixed finding', () => {
    expect(SELFTEST_JUDGE_CASES.map((c) => c.promptId)).toEqual(SELFTEST_PROMPTS.map((p) => p.id));
    expect(new Set(SELFTEST_JUDGE_CASES.map((c) => c.id)).size).toBe(SELFTEST_JUDGE_CASES.length);
    for (const c of SELFTEST_JUDGE_CASES) {
      expect([c.yes, c.no]).toEqual(['是', '否']);
      expect(c.messages.at(-1)?.content).toContain('被指出的片段');
    }
  });
});

describe('runSelfTest checks', () => {
  it('streams every generation, scores the judge questions, interrupts, and passes every check when the devices agree', async () => {
    const f = factory();
    const events: SelfTestEvent[] = [];
    const report = await run(f, { onEvent: (e) => events.push(e) });
    for (const d of report.devices) {
      expect(d.status).toBe('ok');
      for (const o of d.outputs) expect(o.stream).toMatchObject({ chunks: ANSWER.length, firstChunkBeforeResult: true, concatMatches: true });
      expect(d.streaming).toMatchObject({ generations: SELFTEST_PROMPTS.length, minChunks: ANSWER.length, passed: true });
      expect(d.judge?.scores.map((s) => [s.caseId, s.score])).toEqual(SELFTEST_JUDGE_CASES.map((c) => [c.id, 0.5]));
      expect(d.interrupt).toMatchObject({ cancelled: 'abort-error', chunksAfterAbort: 0, followUp: { ok: true, completionTokens: 16 } });
    }
    expect(f.scoreCalls.filter((c) => c.params.kind === 'judge')).toHaveLength(2 * SELFTEST_JUDGE_CASES.length);
    expect(report.judgeAgreement).toMatchObject({ passed: true, maxDiff: 0 });
    expect(report.checks).toEqual({ generation: 'pass', streaming: 'pass', judge: 'pass', interrupt: 'pass', prefixReuse: 'not-run', classifier: 'not-run' });
    expect(report.settings).toMatchObject({
      judgeCaseIds: SELFTEST_JUDGE_CASES.map((c) => c.id),
      classifyCaseIds: [],
      interrupt: { longTokens: 256, followUpTokens: 16 },
      scoreTolerance: 0.02,
    });
    expect(events.filter((e) => e.type === 'check-start').map((e) => e.type === 'check-start' && `${e.device}:${e.check}`)).toEqual([
      'webgpu:judge',
      'webgpu:interrupt',
      'wasm:judge',
      'wasm:interrupt',
    ]);
  });

  it('fails the judge check when WebGPU scores drift beyond the tolerance, with the same greedy text', async () => {
    const report = await run(factory({ webgpu: { judge: (i) => (i === 1 ? 0.53 : 0.5) } }));
    expect(report.outcome).toBe('agree');
    expect(report.judgeAgreement?.perCase.map((c) => c.passed)).toEqual([true, false, true]);
    expect(report.judgeAgreement?.maxDiff).toBeCloseTo(0.03, 10);
    expect(report.checks.judge).toBe('fail');
  });

  it('records a judge failure on one device without failing its generation', async () => {
    const report = await run(factory({ wasm: { scoreError: new MedfactError('UNSUPPORTED', 'no logits') } }));
    expect(report.devices[1]).toMatchObject({ status: 'ok', judge: { scores: [], error: { code: 'UNSUPPORTED' } } });
    expect(report.devices[1]?.interrupt?.passed).toBe(true);
    expect(report.judgeAgreement).toBeNull();
    expect(report.checks.judge).toBe('fail');
  });

  it('fails the streaming check when pieces go missing', async () => {
    const report = await run(factory({ webgpu: { dropChunks: true } }));
    expect(report.devices[0]?.streaming).toMatchObject({ allConcatMatch: false, passed: false });
    expect(report.devices[1]?.streaming?.passed).toBe(true);
    expect(report.checks.streaming).toBe('fail');
  });

  it('scores the reward classifier on both devices in engines of its own and compares the scores', async () => {
    const f = factory();
    const events: SelfTestEvent[] = [];
    const report = await run(f, { classifier: REWARD, onEvent: (e) => events.push(e) });
    expect(f.created).toEqual(['webgpu', 'wasm', 'webgpu', 'wasm']);
    const classify = f.scoreCalls.filter((c) => c.params.kind === 'classify');
    expect(classify.map((c) => c.params)).toEqual(
      [...SELFTEST_CLASSIFY_CASES, ...SELFTEST_CLASSIFY_CASES].map((c) => ({ kind: 'classify', text: c.text, textPair: c.textPair })),
    );
    expect(report.classifier?.model).toEqual({ id: REWARD.id, engine: 'transformers' });
    for (const d of report.classifier?.devices ?? []) {
      expect(d).toMatchObject({ status: 'ok', ranOnRequestedDevice: true, load: { device: d.device } });
      expect(d.scores.map((s) => [s.caseId, s.score])).toEqual(SELFTEST_CLASSIFY_CASES.map((c) => [c.id, 0.25]));
    }
    expect(report.classifier?.agreement?.passed).toBe(true);
    expect(report.checks.classifier).toBe('pass');
    expect(report.settings.classifyCaseIds).toEqual(SELFTEST_CLASSIFY_CASES.map((c) => c.id));
    expect(events.filter((e) => e.type === 'classifier-done')).toHaveLength(2);
  });

  it('fails the classifier check when the devices disagree, and leaves it incomplete without WebGPU', async () => {
    const drift = await run(factory({ webgpu: { classify: () => 0.4 } }), { classifier: REWARD });
    expect(drift.classifier?.agreement).toMatchObject({ passed: false });
    expect(drift.checks.classifier).toBe('fail');

    const cpuOnly = await run(factory(), { classifier: REWARD, caps: makeCaps({ gpu: 'none' }) });
    expect(cpuOnly.classifier?.devices.map((d) => [d.device, d.status, d.error?.code])).toEqual([
      ['webgpu', 'skipped', 'NO_WEBGPU'],
      ['wasm', 'ok', undefined],
    ]);
    expect(cpuOnly.checks).toMatchObject({ generation: 'incomplete', judge: 'incomplete', classifier: 'incomplete', interrupt: 'pass' });
  });

  it('plans a classifier only for text-classification entries', () => {
    const plan = planClassifier(REWARD, makeCaps(), SOURCE);
    for (const p of plan) expect('spec' in p && p.spec).toMatchObject({ task: 'text-classification', device: p.device, skipWarmup: true });
    expect(planClassifier(VERIFIER, makeCaps(), SOURCE).map((p) => 'skip' in p && p.skip.code)).toEqual(['UNSUPPORTED', 'UNSUPPORTED']);
  });

  it('keeps judge prompts and classifier texts out of the report: ids only', async () => {
    const json = reportToJson(await run(factory(), { classifier: REWARD }));
    for (const c of SELFTEST_JUDGE_CASES) {
      expect(json).toContain(c.id);
      for (const m of c.messages) expect(json).not.toContain(m.content.slice(0, 30));
    }
    for (const c of SELFTEST_CLASSIFY_CASES) {
      expect(json).toContain(c.id);
      expect(json).not.toContain(c.text.slice(0, 20));
    }
  });
});
