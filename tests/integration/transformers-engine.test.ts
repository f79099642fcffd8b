/**
 * The transformers.js adapter against the REAL tiny fixture models, loaded
 * in Node on the CPU through the local mirror server (the same
 * `{model}/resolve/{revision}/{file}` layout a hospital mirror serves).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadProgress, ModelEngine, ModelSpec } from '../../src/protocol/engine';
import { ensureFixtureModels } from '../fixtures/ensure-models';
import { startMirrorServer, type MirrorServer } from '../fixtures/mirror-server';
import { createTransformersEngine } from '../../workers/transformers-engine';

interface VerifierFixture {
  answer: string;
  answerTokens: number;
}
interface RewardCase {
  name: string;
  text: string;
  text_pair?: string;
  probabilities: Record<string, number>;
}

let root: string;
let mirror: MirrorServer;
let verifierFixture: VerifierFixture;
let rewardCases: RewardCase[];
const cacheDirs: string[] = [];

/** A fresh file cache per engine, so every load really goes through the mirror. */
async function freshCacheDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'medfact-tfjs-cache-'));
  cacheDirs.push(dir);
  return dir;
}

function spec(id: string, task: ModelSpec['task'], extra: Partial<ModelSpec> = {}): ModelSpec {
  return {
    id,
    engine: 'transformers',
    task,
    device: 'cpu',
    dtype: 'fp32',
    source: { hubHost: mirror.url, revision: 'main', mirrorOnly: true },
    ...extra,
  };
}

const messages = [
  { role: 'system' as const, content: '你是医学事实核查助手。' },
  { role: 'user' as const, content: '请检查：成人口服常用剂量为每次5克。' },
];

beforeAll(async () => {
  root = await ensureFixtureModels();
  mirror = await startMirrorServer({ root });
  verifierFixture = JSON.parse(await readFile(join(root, 'fixture/tiny-verifier/fixture.json'), 'utf8')) as VerifierFixture;
  rewardCases = (JSON.parse(await readFile(join(root, 'fixture/tiny-reward/fixture.json'), 'utf8')) as { cases: RewardCase[] }).cases;
});

afterAll(async () => {
  await mirror?.close();
  await Promise.all(cacheDirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('transformers.js engine with the tiny verifier', () => {
  let engine: ModelEngine;

  beforeAll(async () => {
    engine = createTransformersEngine({ cacheDir: await freshCacheDir() });
  });
  afterAll(async () => {
    await engine.unload();
  });

  it('loads through the mirror with monotonic progress that ends at 1', async () => {
    const seen: LoadProgress[] = [];
    const result = await engine.load(spec('fixture/tiny-verifier', 'text-generation'), { onProgress: (p) => seen.push(p) });
    expect(result).toMatchObject({ id: 'fixture/tiny-verifier', engine: 'transformers', device: 'cpu', dtype: 'fp32' });
    expect(result.library).toMatch(/^transformers\.js \d+\.\d+\.\d+/);
    expect(result.contextTokens).toBeGreaterThan(0);
    expect(result.warmupMs).toBeGreaterThanOrEqual(0);

    const fractions = seen.map((p) => p.progress);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1] ?? 0);
    expect(seen.at(-1)).toEqual({ status: 'ready', progress: 1 });
    expect(seen.filter((p) => p.status === 'ready')).toHaveLength(1);
    const download = seen.filter((p) => p.status === 'download');
    expect(download.length).toBeGreaterThan(0);
    expect(download.some((p) => p.status === 'download' && p.file === 'onnx/model.onnx')).toBe(true);
    // Every model file came from the mirror, in the resolve/<revision> layout.
    const gets = mirror.requests.filter((r) => r.method === 'GET').map((r) => r.path);
    expect(gets).toContain('/fixture/tiny-verifier/resolve/main/onnx/model.onnx');
    expect(gets).toContain('/fixture/tiny-verifier/resolve/main/tokenizer.json');
  });

  it('greedy generation returns the fixture answer, and the streamed pieces concatenate to it', async () => {
    const pieces: string[] = [];
    const tokenCounts: number[] = [];
    const result = await engine.generate(
      { messages, maxTokens: 256, temperature: 0 },
      {
        onChunk: (c) => {
          pieces.push(c.text);
          tokenCounts.push(c.tokens);
        },
      },
    );
    expect(result.text).toBe(verifierFixture.answer);
    expect(pieces.join('')).toBe(verifierFixture.answer);
    expect(pieces.length).toBeGreaterThan(1);
    for (let i = 1; i < tokenCounts.length; i++) expect(tokenCounts[i]).toBeGreaterThanOrEqual(tokenCounts[i - 1] ?? 0);
    expect(result.finishReason).toBe('stop');
    expect(result.promptTokens).toBeGreaterThan(0);
    // the answer tokens plus the end-of-turn token
    expect(result.completionTokens).toBe(verifierFixture.answerTokens + 1);
    expect(result.prefillMs).toBeGreaterThanOrEqual(0);
    expect(result.decodeMs).toBeGreaterThanOrEqual(0);
  });

  it('gives the same answer with thinking on, and stops with finishReason length at the token limit', async () => {
    const thinking = await engine.generate({ messages, maxTokens: 256, temperature: 0, thinking: true });
    expect(thinking.text).toBe(verifierFixture.answer);
    const short = await engine.generate({ messages, maxTokens: 5, temperature: 0 });
    expect(short.finishReason).toBe('length');
    expect(short.completionTokens).toBe(5);
    expect(verifierFixture.answer.startsWith(short.text)).toBe(true);
  });

  it('seeded sampling is reproducible', async () => {
    const a = await engine.generate({ messages, maxTokens: 8, temperature: 0.8, seed: 7 });
    const b = await engine.generate({ messages, maxTokens: 8, temperature: 0.8, seed: 7 });
    expect(a.text).toBe(b.text);
  });

  it('an abort mid-generation rejects with AbortError after the engine stops, and the engine still works', async () => {
    const controller = new AbortController();
    const pieces: string[] = [];
    const error = await engine
      .generate(
        { messages, maxTokens: 256, temperature: 0 },
        {
          signal: controller.signal,
          onChunk: (c) => {
            pieces.push(c.text);
            if (c.tokens >= 5) controller.abort();
          },
        },
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    expect(pieces.join('').length).toBeLessThan(verifierFixture.answer.length);

    const again = await engine.generate({ messages, maxTokens: 256, temperature: 0 });
    expect(again.text).toBe(verifierFixture.answer);
  });

  it('an already-aborted signal rejects without generating', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(engine.generate({ messages, maxTokens: 8, temperature: 0 }, { signal: controller.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });

  it('judge scoring reads p(yes) against p(no) from the last-position logits', async () => {
    const result = await engine.score({ kind: 'judge', messages, yes: '是', no: '否' });
    expect(result.score).toBeGreaterThanOrEqual(0);
    expect(result.score).toBeLessThanOrEqual(1);
    const { pYes, pNo, logitYes, logitNo } = result.raw;
    expect(pYes).toBeGreaterThanOrEqual(0);
    expect(pNo).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(logitYes)).toBe(true);
    expect(Number.isFinite(logitNo)).toBe(true);
    expect(result.score).toBeCloseTo(1 / (1 + Math.exp((logitNo ?? 0) - (logitYes ?? 0))), 6);
    // swapping the words mirrors the score
    const swapped = await engine.score({ kind: 'judge', messages, yes: '否', no: '是' });
    expect(swapped.score).toBeCloseTo(1 - result.score, 6);
  });

  it('refuses classifier scoring on a generative model, and bad input, with typed errors', async () => {
    await expect(engine.score({ kind: 'classify', text: '文本' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(engine.generate({ messages: [], maxTokens: 8, temperature: 0 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(engine.generate({ messages, maxTokens: 0, temperature: 0 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});

describe('transformers.js engine with the tiny reward classifier', () => {
  let engine: ModelEngine;

  beforeAll(async () => {
    engine = createTransformersEngine({ cacheDir: await freshCacheDir() });
    await engine.load(spec('fixture/tiny-reward', 'text-classification', { skipWarmup: true }));
  });
  afterAll(async () => {
    await engine.unload();
  });

  it('matches the documented probabilities of the error label, for single texts and text pairs', async () => {
    expect(rewardCases.length).toBeGreaterThan(0);
    for (const c of rewardCases) {
      const params = c.text_pair !== undefined ? { kind: 'classify' as const, text: c.text, textPair: c.text_pair } : { kind: 'classify' as const, text: c.text };
      const result = await engine.score(params);
      expect(result.score, c.name).toBeCloseTo(c.probabilities.error ?? NaN, 5);
      expect(result.raw.correct, c.name).toBeCloseTo(c.probabilities.correct ?? NaN, 5);
    }
  });

  it('scores a named positive label, and rejects an unknown one', async () => {
    const c = rewardCases[0] as RewardCase;
    const result = await engine.score({ kind: 'classify', text: c.text, positiveLabel: 'correct' });
    expect(result.score).toBeCloseTo(c.probabilities.correct ?? NaN, 5);
    await expect(engine.score({ kind: 'classify', text: c.text, positiveLabel: 'nonsense' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});

describe('transformers.js engine load errors', () => {
  it('a model missing on the mirror is NOT_FOUND', async () => {
    const engine = createTransformersEngine({ cacheDir: await freshCacheDir() });
    await expect(engine.load(spec('fixture/does-not-exist', 'text-generation'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a dtype transformers.js cannot load is BAD_CONFIG', async () => {
    const engine = createTransformersEngine({ cacheDir: await freshCacheDir() });
    await expect(engine.load(spec('fixture/tiny-verifier', 'text-generation', { dtype: 'q4f32' }))).rejects.toMatchObject({ code: 'BAD_CONFIG' });
  });

  it('a second engine in the same process loads from its own mirror, though the first one guards another', async () => {
    // One realm, one library fetch setting: the first engine's mirror-only guard must not become the second's base.
    const first = createTransformersEngine({ cacheDir: await freshCacheDir() });
    await first.load(spec('fixture/tiny-reward', 'text-classification', { skipWarmup: true }));
    await first.unload();
    const other = await startMirrorServer({ root });
    try {
      const second = createTransformersEngine({ cacheDir: await freshCacheDir() });
      const loaded = await second.load({ ...spec('fixture/tiny-reward', 'text-classification', { skipWarmup: true }), source: { hubHost: other.url, revision: 'main', mirrorOnly: true } });
      expect(loaded.id).toBe('fixture/tiny-reward');
      expect(other.requests.some((r) => r.path.includes('fixture/tiny-reward'))).toBe(true);
      await second.unload();
    } finally {
      await other.close();
    }
  });

  it('generate before load is MODEL_NOT_LOADED', async () => {
    const engine = createTransformersEngine({ cacheDir: await freshCacheDir() });
    await expect(engine.generate({ messages, maxTokens: 4, temperature: 0 })).rejects.toMatchObject({ code: 'MODEL_NOT_LOADED' });
  });
});
