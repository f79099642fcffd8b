/**
 * Prompt-prefix KV reuse in the transformers.js engine (issue 15): the same
 * tokens with and without reuse, on the REAL fixture decoders through the
 * real library (Node, CPU — the same kernels onnxruntime-web runs as WASM),
 * and fewer prompt tokens computed. fixture/tiny-context's next token depends
 * on every cached token, so a wrong cache changes its output.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildJudgePrompt, buildVerifierPrompt, type PromptVariant } from '../../src/core/prompts';
import type { GenerateParams, GenerateResult, ModelEngine, ModelSpec } from '../../src/protocol/engine';
import { createTransformersEngine } from '../../workers/transformers-engine';
import { ensureFixtureModels } from '../fixtures/ensure-models';
import { startMirrorServer, type MirrorServer } from '../fixtures/mirror-server';

let mirror: MirrorServer;
const dirs: string[] = [];

const TEXTS = [
  '阿莫西林是一种常用的青霉素类抗生素，成人口服常用剂量为每次0.5克。',
  '高血压患者应低盐饮食，每日食盐摄入量不超过5克。',
  '糖尿病患者空腹血糖的控制目标一般为4.4至7.0毫摩尔每升。',
  '阿司匹林可用于心血管疾病的二级预防，常用剂量为每日75至100毫克。',
];

function spec(id: string): ModelSpec {
  return { id, engine: 'transformers', task: 'text-generation', device: 'cpu', dtype: 'fp32', source: { hubHost: mirror.url, mirrorOnly: true }, skipWarmup: true };
}

async function engineFor(id: string, prefixReuse: boolean): Promise<ModelEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'medfact-prefix-'));
  dirs.push(dir);
  const engine = createTransformersEngine({ cacheDir: dir, prefixReuse });
  const loaded = await engine.load(spec(id));
  expect(loaded.prefixReuse).toBe(prefixReuse);
  return engine;
}

function params(text: string, variant: PromptVariant, extra: Partial<GenerateParams> = {}): GenerateParams {
  return { messages: buildVerifierPrompt(text, variant).messages, maxTokens: 24, temperature: 0, ...extra };
}

/** What a benchmark does: every text in turn, three self-consistency samples each, then the judge for each. */
async function workload(engine: ModelEngine, variant: PromptVariant): Promise<{ results: GenerateResult[]; judge: number[] }> {
  const results: GenerateResult[] = [];
  const judge: number[] = [];
  for (const text of TEXTS) {
    for (let s = 0; s < 3; s++) results.push(await engine.generate(params(text, variant)));
    const j = buildJudgePrompt(text, { quote: text.slice(2, 6), type: 'conceptual', correction: '—' }, 'factual_correctness');
    judge.push((await engine.score({ kind: 'judge', messages: j.messages, yes: j.yes, no: j.no })).score);
  }
  return { results, judge };
}

beforeAll(async () => {
  mirror = await startMirrorServer({ root: await ensureFixtureModels() });
});

afterAll(async () => {
  await mirror?.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('prefix reuse on fixture/tiny-context (output depends on every cached token)', () => {
  let plain: ModelEngine;
  let reusing: ModelEngine;
  beforeAll(async () => {
    plain = await engineFor('fixture/tiny-context', false);
    reusing = await engineFor('fixture/tiny-context', true);
  });
  afterAll(async () => {
    await plain.unload();
    await reusing.unload();
  });

  for (const variant of ['zero-shot', 'few-shot'] as const) {
    it(`${variant}: token for token the same answers and judge scores, with fewer prompt tokens computed`, async () => {
      const a = await workload(plain, variant);
      const b = await workload(reusing, variant);
      expect(b.results.map((r) => r.text)).toEqual(a.results.map((r) => r.text));
      expect(b.results.map((r) => r.completionTokens)).toEqual(a.results.map((r) => r.completionTokens));
      expect(b.judge).toEqual(a.judge);
      // The answers differ between texts (the model really reads the context).
      expect(new Set(a.results.map((r) => r.text)).size).toBeGreaterThan(1);
      // Without reuse every prompt token is computed.
      for (const r of a.results) expect(r.prefillTokens).toBe(r.promptTokens);
      const computed = b.results.reduce((s, r) => s + (r.prefillTokens ?? r.promptTokens), 0);
      const prompt = b.results.reduce((s, r) => s + r.promptTokens, 0);
      expect(computed).toBeLessThan(prompt * 0.6);
      // Later texts pay only their own part; a third sample all but the last prompt token.
      expect(b.results[3]?.prefillTokens).toBeLessThan((b.results[3]?.promptTokens ?? 0) / 2);
      expect(b.results.at(-1)?.prefillTokens).toBe(1);
    });
  }

  it('a changed system prompt reuses only up to the first changed token and still answers the same', async () => {
    const text = TEXTS[0] as string;
    const base = params(text, 'zero-shot');
    const changed: GenerateParams = { ...base, messages: base.messages.map((m, i) => (i === 0 ? { ...m, content: `${m.content}\n7. 新增规则。` } : m)) };
    await reusing.generate(base);
    await reusing.generate(base); // now an entry holds the whole old prompt
    const r = await reusing.generate(changed);
    const p = await plain.generate(changed);
    expect(r.text).toBe(p.text);
    expect(r.prefillTokens).toBeGreaterThan(1);
  });

  it('after unload and a new load the cache is empty: the first prompt is computed in full', async () => {
    await reusing.unload();
    await reusing.load(spec('fixture/tiny-context'));
    const r = await reusing.generate(params(TEXTS[1] as string, 'zero-shot'));
    expect(r.prefillTokens).toBe(r.promptTokens);
  });

  it('a call with prefixReuse: false computes its whole prompt, answers the same, and leaves the cache as it was', async () => {
    const [first, second, third] = TEXTS as [string, string, string];
    await reusing.generate(params(first, 'zero-shot'));
    const reused = await reusing.generate(params(second, 'zero-shot'));
    expect(reused.prefillTokens).toBeLessThan(reused.promptTokens / 2);
    const full = await reusing.generate(params(second, 'zero-shot', { prefixReuse: false }));
    expect(full.prefillTokens).toBe(full.promptTokens);
    expect(full.text).toBe(reused.text);
    // The cache still serves the next call.
    const next = await reusing.generate(params(third, 'zero-shot'));
    expect(next.prefillTokens).toBeLessThan(next.promptTokens / 2);
    expect(next.text).toBe((await plain.generate(params(third, 'zero-shot'))).text);
  });

  it('seeded sampling gives the same tokens with and without reuse', async () => {
    const sampled = (e: ModelEngine): Promise<GenerateResult> => e.generate(params(TEXTS[2] as string, 'zero-shot', { temperature: 0.8, seed: 7 }));
    for (let i = 0; i < 2; i++) expect((await sampled(reusing)).text).toBe((await sampled(plain)).text);
  });
});

describe('prefix reuse on fixture/tiny-verifier (the fixed-answer decoder the app tests use)', () => {
  it('gives the fixture answer with reuse on', async () => {
    const plain = await engineFor('fixture/tiny-verifier', false);
    const reusing = await engineFor('fixture/tiny-verifier', true);
    for (const text of TEXTS.slice(0, 2)) {
      const [a, b] = [await plain.generate(params(text, 'zero-shot', { maxTokens: 200 })), await reusing.generate(params(text, 'zero-shot', { maxTokens: 200 }))];
      expect(b.text).toBe(a.text);
      expect(b.finishReason).toBe('stop');
    }
    await plain.unload();
    await reusing.unload();
  });
});
