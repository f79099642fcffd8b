import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG } from '../../../../../src/domain/catalog/catalog';
import type { CatalogModel } from '../../../../../src/domain/catalog/schema';
import { SELFTEST_PROMPTS } from '../../../../../src/features/models/self-test/prompts';
import {
  planSelfTest,
  reportToJson,
  runSelfTest,
  type DisposableEngine,
  type SelfTestDevice,
  type SelfTestEvent,
} from '../../../../../src/features/models/self-test/run-self-test';
import type { ModelEngine, ModelSource } from '../../../../../src/protocol/engine';
import { MedfactError } from '../../../../../src/protocol/errors';
import { createScriptedEngine } from '../../../../kit/scripted-engine';
import { makeCaps } from '../../../../kit/capabilities';
import { fixtureVerifierEntry } from '../../../../kit/catalog-entries';
import { answerFor } from '../../../../kit/engine-scripts';

const ANSWER = answerFor([{ quote: '每次5克', med: true, fix: '每次0.5克', why: '剂量过大。' }]);
const SOURCE: ModelSource = { hubHost: 'http://127.0.0.1:9/', mirrorOnly: true };

const FIXTURE = fixtureVerifierEntry({ dtypes: ['fp32'], sizeBytes: 1000 });
const WEBLLM = DEFAULT_CATALOG.find((e) => e.engine === 'webllm' && e.dtypes.includes('q4f32') && e.role === 'verifier');

interface Harness {
  factory: (device: SelfTestDevice) => DisposableEngine;
  created: SelfTestDevice[];
  disposed: SelfTestDevice[];
  unloaded: SelfTestDevice[];
}

/** Scripted engines per device, with fixed timings so the speed maths is checkable. */
function harness(answers: Partial<Record<SelfTestDevice, string | ((index: number) => string)>>, overrides: Partial<Record<SelfTestDevice, Partial<ModelEngine>>> = {}): Harness {
  const h: Harness = { created: [], disposed: [], unloaded: [], factory: () => undefined as never };
  h.factory = (device) => {
    h.created.push(device);
    const answer = answers[device] ?? ANSWER;
    const scripted = createScriptedEngine((_params, i) => (typeof answer === 'function' ? answer(i) : answer), {
      charsPerToken: 1,
      loaded: { loadMs: 1200, warmupMs: 300 },
      timings: { prefillMs: 100, decodeMs: (tokens) => (tokens - 1) * 20 },
    });
    return {
      load: (spec, options) => scripted.load(spec, options),
      generate: (params, options) => scripted.generate(params, options),
      score: (params, options) => scripted.score(params, options),
      unload: async () => {
        h.unloaded.push(device);
      },
      dispose: () => h.disposed.push(device),
      ...overrides[device],
    };
  };
  return h;
}

function run(h: Harness, opts: { caps?: ReturnType<typeof makeCaps>; entry?: CatalogModel; signal?: AbortSignal; onEvent?: (e: SelfTestEvent) => void; maxTokens?: number } = {}) {
  const caps = opts.caps ?? makeCaps();
  const entry = opts.entry ?? FIXTURE;
  return runSelfTest({
    entry,
    plan: planSelfTest(entry, caps, SOURCE),
    capabilities: caps,
    prompts: SELFTEST_PROMPTS,
    maxTokens: opts.maxTokens ?? 200,
    createEngine: h.factory,
    appVersion: '9.9.9',
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  });
}

describe('planSelfTest', () => {
  it('plans WebGPU then WASM for a transformers.js model when WebGPU exists, with warm-up on', () => {
    const plan = planSelfTest(FIXTURE, makeCaps(), SOURCE);
    expect(plan.map((p) => p.device)).toEqual(['webgpu', 'wasm']);
    for (const p of plan) {
      expect('spec' in p && p.spec).toMatchObject({ id: FIXTURE.id, device: p.device, dtype: 'fp32', skipWarmup: false, source: SOURCE });
    }
  });

  it('skips WebGPU with NO_WEBGPU when there is no adapter', () => {
    const [gpu, wasm] = planSelfTest(FIXTURE, makeCaps({ gpu: 'none' }), SOURCE);
    expect(gpu && 'skip' in gpu && gpu.skip.code).toBe('NO_WEBGPU');
    expect(wasm && 'spec' in wasm && wasm.spec.device).toBe('wasm');
  });

  it('runs a WebLLM model on WebGPU only', () => {
    expect(WEBLLM).toBeDefined();
    const [gpu, wasm] = planSelfTest(WEBLLM as CatalogModel, makeCaps(), SOURCE);
    expect(gpu && 'spec' in gpu && gpu.spec).toMatchObject({ engine: 'webllm', device: 'webgpu' });
    expect(wasm && 'skip' in wasm && wasm.skip.code).toBe('UNSUPPORTED');
  });

  it('skips WebGPU with NO_SHADER_F16 for an f16-only build on a GPU without it', () => {
    const f16Only = DEFAULT_CATALOG.find((e) => e.engine === 'webllm' && e.dtypes.includes('q4f16') && e.role === 'verifier') as CatalogModel;
    const [gpu] = planSelfTest(f16Only, makeCaps({ shaderF16: false }), SOURCE);
    expect(gpu && 'skip' in gpu && gpu.skip.code).toBe('NO_SHADER_F16');
  });
});

describe('runSelfTest', () => {
  it('runs every fixed prompt greedily on both devices, each in its own engine, and finds them in agreement', async () => {
    const h = harness({});
    const seen: SelfTestEvent[] = [];
    const report = await run(h, { onEvent: (e) => seen.push(e) });
    expect(h.created).toEqual(['webgpu', 'wasm']);
    expect(h.unloaded).toEqual(['webgpu', 'wasm']);
    expect(h.disposed).toEqual(['webgpu', 'wasm']);
    expect(report.outcome).toBe('agree');
    expect(report.agreement?.summary).toEqual({ exactShare: 1, meanTokenAgreement: 1, prompts: SELFTEST_PROMPTS.length });
    for (const d of report.devices) {
      expect(d.status).toBe('ok');
      expect(d.ranOnRequestedDevice).toBe(true);
      expect(d.load).toMatchObject({ device: d.device, loadMs: 1200, warmupMs: 300 });
      expect(d.outputs.map((o) => o.text)).toEqual(SELFTEST_PROMPTS.map(() => ANSWER));
    }
    expect(seen.filter((e) => e.type === 'output')).toHaveLength(2 * SELFTEST_PROMPTS.length);
    expect(seen.filter((e) => e.type === 'load-progress').length).toBeGreaterThan(0);
  });

  it('computes prefill and decode speed from the engine timings', async () => {
    const report = await run(harness({}));
    const gpu = report.devices[0];
    const n = SELFTEST_PROMPTS.length;
    const promptTokens = gpu?.outputs.reduce((s, o) => s + o.promptTokens, 0) ?? 0;
    expect(promptTokens).toBeGreaterThan(0);
    // 100 ms to the first token per prompt; 20 ms per later token
    expect(gpu?.throughput?.prefillTokensPerSec).toBeCloseTo((promptTokens * 1000) / (100 * n), 6);
    expect(gpu?.throughput?.decodeTokensPerSec).toBeCloseTo(50, 6);
    expect(gpu?.engineStats).toBeNull();
  });

  it('asks for greedy decoding, thinking off, and the chosen token limit', async () => {
    const calls: { maxTokens: number; temperature: number; thinking?: boolean }[] = [];
    const h = harness({});
    const base = h.factory;
    h.factory = (device) => {
      const engine = base(device);
      return { ...engine, generate: (params, options) => (calls.push(params), engine.generate(params, options)) };
    };
    const report = await run(h, { maxTokens: 10 });
    expect(calls.every((c) => c.maxTokens === 10 && c.temperature === 0 && c.thinking === false)).toBe(true);
    // Truncated at 10 tokens (one character each here).
    expect(report.devices[0]?.outputs[0]?.finishReason).toBe('length');
    expect(report.devices[0]?.outputs[0]?.text).toBe(ANSWER.slice(0, 10));
  });

  it('reports disagreement per prompt when the WebGPU kernels compute something else', async () => {
    const wrong = ANSWER.replace('每次0.5克', '每次0.6克');
    const report = await run(harness({ webgpu: (i) => (i === 1 ? wrong : ANSWER) }));
    expect(report.outcome).toBe('disagree');
    const per = report.agreement?.perPrompt ?? [];
    expect(per.map((p) => p.exact)).toEqual([true, false, true]);
    expect(per[1]?.firstDivergence).toBeGreaterThan(0);
    expect(per[1]?.tokenAgreement).toBeLessThan(1);
    expect(per[1]?.tokenAgreement).toBeGreaterThan(0.9);
    expect(report.agreement?.summary.exactShare).toBeCloseTo(2 / 3, 10);
  });

  it('runs WASM alone without WebGPU and says the comparison is incomplete', async () => {
    const h = harness({});
    const report = await run(h, { caps: makeCaps({ gpu: 'none' }) });
    expect(h.created).toEqual(['wasm']);
    expect(report.devices.map((d) => [d.device, d.status, d.error?.code])).toEqual([
      ['webgpu', 'skipped', 'NO_WEBGPU'],
      ['wasm', 'ok', undefined],
    ]);
    expect(report.agreement).toBeNull();
    expect(report.outcome).toBe('incomplete');
  });

  it('records a failed load as a typed error and still runs the other device', async () => {
    const h = harness({}, { webgpu: { load: () => Promise.reject(new MedfactError('DEVICE_LOST', 'GPU device was lost')) } });
    const report = await run(h);
    expect(report.devices[0]).toMatchObject({ device: 'webgpu', status: 'failed', error: { code: 'DEVICE_LOST' } });
    expect(report.devices[1]?.status).toBe('ok');
    expect(h.disposed).toEqual(['webgpu', 'wasm']);
    expect(report.outcome).toBe('incomplete');
  });

  it('classifies an untyped library error', async () => {
    const h = harness({}, { wasm: { generate: () => Promise.reject(new Error('Out of memory: could not allocate')) } });
    const report = await run(h);
    expect(report.devices[1]).toMatchObject({ status: 'failed', error: { code: 'OUT_OF_MEMORY' } });
    expect(report.devices[1]?.outputs).toEqual([]);
  });

  it('notices an engine that loaded on another device than asked', async () => {
    const h = harness({});
    const base = h.factory;
    h.factory = (device) => {
      const engine = base(device);
      return { ...engine, load: async (spec, o) => ({ ...(await engine.load(spec, o)), device: 'wasm' }) };
    };
    const report = await run(h);
    expect(report.devices[0]?.ranOnRequestedDevice).toBe(false);
    expect(report.devices[1]?.ranOnRequestedDevice).toBe(true);
  });

  it('rejects with AbortError when cancelled and frees the engine it was using', async () => {
    const controller = new AbortController();
    const h = harness({});
    const pending = run(h, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'output' && e.device === 'webgpu') controller.abort();
      },
    });
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    expect(h.created).toEqual(['webgpu']);
    expect(h.disposed).toEqual(['webgpu']);
  });

  it('refuses a token limit below one', async () => {
    await expect(run(harness({}), { maxTokens: 0 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});

describe('the JSON report', () => {
  it('round-trips and names the model, the device facts, the settings and the results', async () => {
    const report = await run(harness({}));
    const parsed = JSON.parse(reportToJson(report)) as typeof report;
    expect(parsed).toEqual(report);
    expect(parsed).toMatchObject({
      format: 'medfact-selftest-v3',
      appVersion: '9.9.9',
      model: { id: FIXTURE.id, engine: 'transformers' },
      settings: { maxTokens: 200, temperature: 0, promptIds: SELFTEST_PROMPTS.map((p) => p.id) },
      capabilities: { webgpu: { available: true, adapter: { architecture: 'swiftshader' } } },
    });
    expect(Number.isNaN(Date.parse(parsed.startedAt))).toBe(false);
  });

  it('holds prompt ids, not prompt text, and nothing outside the fixed prompts', async () => {
    const json = reportToJson(await run(harness({})));
    for (const p of SELFTEST_PROMPTS) {
      for (const m of p.messages) expect(json).not.toContain(m.content.slice(0, 40));
      expect(json).toContain(p.id);
    }
  });
});
