/**
 * The judge's grounded criterion (issue 11) with REAL inference end to end:
 * fixture/tiny-verifier-cite (a real greedy decoder whose answer-v2 flags
 * 每次5克 and cites passage [1]) and fixture/tiny-reward (a real sequence-pair
 * classifier) each run in a real engine worker thread (serveEngine +
 * transformers.js). The reward classifier cannot read medicine; it weighs
 * characters (正确安全合理… towards "correct", 错误超毒危险… towards "error",
 * see tests/fixtures/onnx/reward-model.ts). In that world a cited passage that
 * calls the flagged dose correct and safe SUPPORTS the statement, and one that
 * calls it toxic and dangerous CONTRADICTS it. What is tested is the wiring
 * a real judge relies on: the cited passage reaches the reward model, its score
 * is kept on the finding, caps the reward score, and decides whether the
 * finding is kept; nothing else changes.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineClient, type EngineClient } from '../../src/client/engine-client';
import { check, type CheckResult, type EvidenceSource } from '../../src/core/check';
import type { CitedPassage } from '../../src/core/evidence';
import { engineScorer } from '../../src/core/gating';
import type { ModelSpec } from '../../src/protocol/engine';
import { ensureFixtureModels } from '../fixtures/ensure-models';
import { startMirrorServer, type MirrorServer } from '../fixtures/mirror-server';
import { liveNodeWorkers, nodeWorker } from '../unit/protocol/ports';

const SUPPORTS = '阿莫西林成人每次5克为正确、安全、合理的标准推荐剂量，适宜长期服用。';
const CONTRADICTS = '阿莫西林成人每次0.5克；每次5克超过常用剂量，有毒，危险，可致死，为禁忌用法。';
const THRESHOLD = 0.5;

let root: string;
let mirror: MirrorServer;
let cacheDir: string;
let text: string;
let verifier: EngineClient;
let reward: EngineClient;

function spec(id: string, task: ModelSpec['task']): ModelSpec {
  return { id, engine: 'transformers', task, device: 'cpu', dtype: 'fp32', skipWarmup: true, source: { hubHost: mirror.url, revision: 'main', mirrorOnly: true } };
}

function source(passageText: string): EvidenceSource {
  const passage: CitedPassage = { id: 'insert:0', docId: 'insert', title: '阿莫西林胶囊说明书', page: 2, text: passageText, rank: 1 };
  return { libraryHash: `lib-${passageText.length}`, retrieve: async () => [passage] };
}

async function run(evidence?: EvidenceSource): Promise<CheckResult> {
  return check(text, {
    verifier,
    verifierId: 'fixture/tiny-verifier-cite',
    scorer: engineScorer(reward, 'classify', { id: 'fixture/tiny-reward' }),
    options: { threshold: THRESHOLD },
    ...(evidence ? { evidence } : {}),
  });
}

beforeAll(async () => {
  root = await ensureFixtureModels();
  mirror = await startMirrorServer({ root });
  cacheDir = await mkdtemp(join(tmpdir(), 'medfact-grounded-cache-'));
  process.env.MEDFACT_TEST_CACHE_DIR = cacheDir;
  text = (JSON.parse(await readFile(join(root, 'fixture/tiny-verifier-cite/fixture.json'), 'utf8')) as { text: string }).text;
  verifier = createEngineClient({ createWorker: () => nodeWorker('real-engine-worker.ts') });
  reward = createEngineClient({ createWorker: () => nodeWorker('real-engine-worker.ts') });
  await verifier.load(spec('fixture/tiny-verifier-cite', 'text-generation'));
  await reward.load(spec('fixture/tiny-reward', 'text-classification'));
}, 120_000);

afterAll(async () => {
  verifier?.dispose();
  reward?.dispose();
  // Both worker threads end with their clients (expect.poll is not available outside a test).
  for (let waited = 0; liveNodeWorkers.size > 0 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  expect(liveNodeWorkers.size).toBe(0);
  delete process.env.MEDFACT_TEST_CACHE_DIR;
  await mirror?.close();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('the grounded criterion with real models', () => {
  it('drops a finding whose cited passage supports the flagged statement, keeps one whose passage contradicts it', async () => {
    const plain = await run();
    const supported = await run(source(SUPPORTS));
    const contradicted = await run(source(CONTRADICTS));

    // Without a library the real reward model keeps the finding, and there is no grounded score.
    const [p] = plain.findings;
    expect(p?.quote).toBe('每次5克');
    expect(p?.grounding).toBeUndefined();
    expect(p?.rewardScore).toBeGreaterThanOrEqual(THRESHOLD);
    expect(p?.kept).toBe(true);

    // The same finding, citing a passage that calls the dose correct and safe: scored down and dropped.
    const [s] = supported.findings;
    expect(s?.quote).toBe('每次5克');
    expect(s?.evidence).toEqual(['insert:0']);
    expect(s?.grounding).toBeLessThan(THRESHOLD);
    expect(s?.rewardScore).toBeCloseTo(Math.min(p!.rewardScore!, s!.grounding!), 6);
    expect(s?.kept).toBe(false);
    expect(supported.verdict).toBe('no_error');

    // Citing a passage that says the dose is dangerous: the grounded score is high and the finding stays.
    const [c] = contradicted.findings;
    expect(c?.evidence).toEqual(['insert:0']);
    expect(c?.grounding).toBeGreaterThan(THRESHOLD);
    expect(c?.rewardScore).toBeCloseTo(Math.min(p!.rewardScore!, c!.grounding!), 6);
    expect(c?.kept).toBe(true);
    expect(contradicted.verdict).toBe('has_error');
    // Only the cited passage differs between the two runs, so it is what the reward model read.
    expect(s!.grounding).not.toBeCloseTo(c!.grounding!, 3);
  }, 120_000);
});
