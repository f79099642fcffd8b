/**
 * Batched scoring (issue 15) through the REAL engine worker (a
 * node:worker_threads thread running serveEngine and transformers.js) with
 * the project's tiny fixture models: a batch gives exactly the scores of the
 * same calls one by one, and a check's reward stage costs one request to the
 * worker instead of one per (finding, criterion). Requests are counted on
 * the page side of the port (pings excluded), never timed.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngineClient, type EngineClient } from '../../src/client/engine-client';
import { check } from '../../src/core/check';
import { engineScorer, type FindingScorer } from '../../src/core/gating';
import type { ModelSpec, ScoreParams, ScoreResult } from '../../src/protocol/engine';
import { ensureFixtureModels } from '../fixtures/ensure-models';
import { startMirrorServer, type MirrorServer } from '../fixtures/mirror-server';
import { createScriptedEngine } from '../kit/scripted-engine';
import { countingRequests, liveNodeWorkers, nodeWorker } from '../unit/protocol/ports';

interface RewardCase {
  name: string;
  text: string;
  text_pair?: string;
}

let root: string;
let mirror: MirrorServer;
let cacheDir: string;
let rewardCases: RewardCase[];

beforeAll(async () => {
  root = await ensureFixtureModels();
  mirror = await startMirrorServer({ root });
  cacheDir = await mkdtemp(join(tmpdir(), 'medfact-batch-cache-'));
  process.env.MEDFACT_TEST_CACHE_DIR = cacheDir;
  rewardCases = (JSON.parse(await readFile(join(root, 'fixture/tiny-reward/fixture.json'), 'utf8')) as { cases: RewardCase[] }).cases;
});

afterAll(async () => {
  delete process.env.MEDFACT_TEST_CACHE_DIR;
  await mirror?.close();
  await rm(cacheDir, { recursive: true, force: true });
});

const clients: EngineClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose();
  await expect.poll(() => liveNodeWorkers.size, { timeout: 10_000 }).toBe(0);
});

function spec(id: string, task: ModelSpec['task']): ModelSpec {
  return { id, engine: 'transformers', task, device: 'cpu', dtype: 'fp32', skipWarmup: true, source: { hubHost: mirror.url, revision: 'main', mirrorOnly: true } };
}

/** An engine client on a real worker thread, counting the requests (by method) the page sends it. */
function realWorkerClient(): { client: EngineClient; requests: string[] } {
  const requests: string[] = [];
  const client = createEngineClient({
    createWorker: () => countingRequests(nodeWorker('real-engine-worker.ts'), requests),
  });
  clients.push(client);
  return { client, requests };
}

/** Everything but the timing, which differs between any two calls. */
function withoutMs(results: ScoreResult[]): Array<Omit<ScoreResult, 'ms'>> {
  return results.map(({ ms: _ms, ...rest }) => rest);
}

describe('scoreBatch through the real engine worker', () => {
  it('gives the reward classifier exactly the one-by-one scores, in one request', async () => {
    const { client, requests } = realWorkerClient();
    await client.load(spec('fixture/tiny-reward', 'text-classification'));
    const items: ScoreParams[] = rewardCases.flatMap((c) => [
      { kind: 'classify' as const, text: c.text, ...(c.text_pair !== undefined ? { textPair: c.text_pair } : {}) },
      { kind: 'classify' as const, text: `${c.text}。`, textPair: c.text_pair ?? c.text, positiveLabel: 'correct' },
    ]);
    expect(items.length).toBeGreaterThanOrEqual(4);

    requests.length = 0;
    const oneByOne: ScoreResult[] = [];
    for (const item of items) oneByOne.push(await client.score(item));
    expect(requests).toEqual(items.map(() => 'score'));

    requests.length = 0;
    const progress: number[] = [];
    const batched = await client.scoreBatch(items, { onProgress: (p) => progress.push(p.done / p.total) });
    expect(requests).toEqual(['scoreBatch']);
    expect(withoutMs(batched)).toEqual(withoutMs(oneByOne));
    // Scores differ between items (the comparison is not between constants).
    expect(new Set(batched.map((r) => r.score)).size).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('gives the judge exactly the one-by-one scores, and an empty batch costs nothing', async () => {
    const { client, requests } = realWorkerClient();
    await client.load(spec('fixture/tiny-verifier', 'text-generation'));
    const items: ScoreParams[] = ['成人口服常用剂量为每次5克。', '乙型肝炎病毒属于RNA病毒。', '青霉素过敏者禁用阿莫西林。'].map((text) => ({
      kind: 'judge' as const,
      messages: [{ role: 'system' as const, content: '你是医学事实核查助手。' }, { role: 'user' as const, content: `这句话有错误吗？${text}` }],
      yes: '是',
      no: '否',
    }));
    const oneByOne: ScoreResult[] = [];
    for (const item of items) oneByOne.push(await client.score(item));
    requests.length = 0;
    expect(withoutMs(await client.scoreBatch(items))).toEqual(withoutMs(oneByOne));
    expect(requests).toEqual(['scoreBatch']);
  });

  it("scores a check's findings in one request, with the same results as one by one", async () => {
    const { client, requests } = realWorkerClient();
    await client.load(spec('fixture/tiny-reward', 'text-classification'));
    const text = '乙型肝炎病毒属于RNA病毒，主要经血液、母婴和性接触传播。对乙酰氨基酚成人每日最大剂量不超过10克。';
    const answer = JSON.stringify({
      has_error: true,
      errors: [
        { quote: 'RNA病毒', type: 'conceptual', med: false, fix: 'DNA病毒', why: '乙肝病毒是DNA病毒。' },
        { quote: '10克', type: 'conceptual', med: true, fix: '4克', why: '成人每日最大剂量为4克。' },
        { quote: '血液', type: 'conceptual', med: false, fix: '', why: '' },
      ],
    });
    const batchedScorer = engineScorer(client, 'classify', { id: 'fixture/tiny-reward' });
    // The same scorer without scoreMany: the check falls back to one call per (finding, criterion).
    const oneByOneScorer: FindingScorer = { id: batchedScorer.id, score: (input, signal) => batchedScorer.score(input, signal) };

    requests.length = 0;
    const single = await check(text, { verifier: createScriptedEngine([answer]), verifierId: 'scripted', scorer: oneByOneScorer, options: {} });
    const singleRequests = requests.length;
    requests.length = 0;
    const batched = await check(text, { verifier: createScriptedEngine([answer]), verifierId: 'scripted', scorer: batchedScorer, options: {} });

    // Three findings; the medication one is scored against two criteria: four questions.
    expect(batched.findings).toHaveLength(3);
    expect(singleRequests).toBe(4);
    expect(requests).toEqual(['scoreBatch']);
    const view = (r: typeof batched) => r.findings.map((f) => ({ quote: f.quote, rewardScore: f.rewardScore, confidence: f.confidence, kept: f.kept }));
    expect(view(batched)).toEqual(view(single));
    expect(batched.findings.every((f) => typeof f.rewardScore === 'number')).toBe(true);
    expect(batched.verdict).toBe(single.verdict);
  });
});
