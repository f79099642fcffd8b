import { describe, expect, it } from 'vitest';
import { createScriptedEngine } from '../../../fixtures/scripted-engine';
import { newRunRecord } from '../../../../src/domain/bench/create-run';
import { executeRun, type EngineLoader } from '../../../../src/domain/bench/execute-run';
import { RunControl, runLoop, type RunSink } from '../../../../src/domain/bench/run-loop';
import { evaluateRun, exportPredictions } from '../../../../src/domain/bench/run-results';
import type { RunItemRecord, RunRecord } from '../../../../src/core/run-record';
import { MedfactError } from '../../../../src/protocol/errors';
import { isResumable, STALE_HEARTBEAT_MS, type RunsRepo } from '../../../../src/storage/runs-repo';
import { parsePredictionsJsonl } from '../../../../src/core/predictions';
import { CONFIG, freshDb, ITEMS, scriptedAnswer, userText } from './bench-fixtures';

async function createRun(runs: RunsRepo, itemIds = ITEMS.map((i) => i.id)): Promise<RunRecord> {
  const run = newRunRecord({ name: 'test', datasetId: 'ds1', datasetHash: 'hash1', selection: { seed: 7 }, itemIds, config: CONFIG });
  await runs.create(run);
  return run;
}

function expectEveryItemOnce(stored: RunItemRecord[], ids = ITEMS.map((i) => i.id)): void {
  expect(stored.map((r) => r.itemId)).toEqual(ids);
  expect(new Set(stored.map((r) => r.itemId)).size).toBe(ids.length);
}

/** A sink that "dies" after `limit` stored items: it stops writing anything, as a closed tab would. */
function dyingSink(repo: RunsRepo, limit: number): RunSink {
  let puts = 0;
  const dead = () => new Error('simulated crash: the page is gone');
  return {
    storedItemIds: (id) => repo.storedItemIds(id),
    heartbeat: (id, at) => (puts >= limit ? Promise.resolve() : repo.heartbeat(id, at)),
    async putItem(item, at) {
      if (puts >= limit) throw dead();
      puts++;
      return repo.putItem(item, at);
    },
    async setState(id, state, extra) {
      if (puts >= limit) throw dead();
      return repo.setState(id, state, extra);
    },
  };
}

describe('runLoop', () => {
  it('stores each slow item before starting the next (a real model), so progress and crash safety are per item', async () => {
    const { runs } = freshDb();
    const run = await createRun(runs);
    const events: string[] = [];
    const engine = createScriptedEngine((p) => scriptedAnswer(p), { chunkDelayMs: 3 });
    const generate = engine.generate.bind(engine);
    engine.generate = (params, options) => {
      events.push('generate');
      return generate(params, options);
    };
    const sink: RunSink = {
      ...runs,
      storedItemIds: (id) => runs.storedItemIds(id),
      heartbeat: (id, at) => runs.heartbeat(id, at),
      setState: (id, state, extra) => runs.setState(id, state, extra),
      putItem: async (item, at) => {
        events.push(`put ${item.itemId}`);
        return runs.putItem(item, at);
      },
      putItems: async (id, list) => {
        events.push(`put ${list.map((i) => i.itemId).join(',')}`);
        return runs.putItems(id, list);
      },
    };
    await runLoop({ runId: run.id, items: ITEMS, config: CONFIG, engines: { verifier: engine, reward: null }, sink });
    // generate, put, generate, put, …: one write per item, each before the next item starts.
    const expected = ITEMS.flatMap((i) => ['generate', `put ${i.id}`]);
    expect(events).toEqual(expected);
  });

  it('batches the writes of items faster than storage (an instant engine) and still stores every item once', async () => {
    const { runs } = freshDb();
    const run = await createRun(runs);
    const batches: number[] = [];
    const sink: RunSink = {
      storedItemIds: (id) => runs.storedItemIds(id),
      heartbeat: (id, at) => runs.heartbeat(id, at),
      setState: (id, state, extra) => runs.setState(id, state, extra),
      // Storage slower than the engine: results pile up while a write is in flight.
      putItem: async (item, at) => {
        batches.push(1);
        await new Promise((r) => setTimeout(r, 30));
        return runs.putItem(item, at);
      },
      putItems: async (id, list) => {
        batches.push(list.length);
        await new Promise((r) => setTimeout(r, 30));
        return runs.putItems(id, list);
      },
    };
    const instant = createScriptedEngine((p) => scriptedAnswer(p), { charsPerToken: 10_000 });
    const outcome = await runLoop({ runId: run.id, items: ITEMS, config: CONFIG, engines: { verifier: instant, reward: null }, sink });
    expect(outcome.counts).toMatchObject({ total: 6, stored: 6 });
    expect(batches.reduce((a, b) => a + b, 0)).toBe(6);
    expect(batches.length).toBeLessThan(6);
    expectEveryItemOnce(await runs.listItems(run.id));
  });

  it('runs every item exactly once and stores its result as it finishes', async () => {
    const { runs } = freshDb();
    const run = await createRun(runs);
    const engine = createScriptedEngine((p) => scriptedAnswer(p));
    const seenStored: number[] = [];
    const outcome = await runLoop({
      runId: run.id,
      items: ITEMS,
      config: CONFIG,
      engines: { verifier: engine, reward: null },
      sink: runs,
      onProgress: (p) => seenStored.push(p.counts.stored),
    });
    expect(outcome.state).toBe('completed');
    expect(outcome.counts).toMatchObject({ total: 6, stored: 6, done: 6, failed: 0 });
    expect(engine.generateCalls).toHaveLength(6);
    const stored = await runs.listItems(run.id);
    expectEveryItemOnce(stored);
    expect(await runs.countItems(run.id)).toBe(6);
    // Progress never goes down and ends with everything stored.
    expect(seenStored).toEqual([...seenStored].sort((a, b) => a - b));
    expect(seenStored.at(-1)).toBe(6);
    const saved = await runs.get(run.id);
    expect(saved?.state).toBe('completed');
    expect(saved?.finishedAt).toBeTypeOf('number');

    const e2 = stored.find((r) => r.itemId === 'e2');
    expect(e2?.prediction.hasError).toBe(true);
    const span = e2?.prediction.spans[0];
    expect(span && ITEMS[2]?.text.slice(span.start, span.end)).toBe('每次5克');
    expect(e2?.raw[0]).toContain('每次0.5克');
    expect(stored.find((r) => r.itemId === 'c2')?.prediction).toMatchObject({ hasError: false, spans: [] });
  });

  it('scores the stored results with the project metrics', async () => {
    const { runs } = freshDb();
    const run = await createRun(runs);
    await runLoop({ runId: run.id, items: ITEMS, config: CONFIG, engines: { verifier: createScriptedEngine((p) => scriptedAnswer(p)), reward: null }, sink: runs });
    const evaluation = evaluateRun(ITEMS, await runs.listItems(run.id), { criterion: 'span', resamples: 50, target: 0.5 });
    expect(evaluation.metrics.vc).toMatchObject({ tp: 2, fp: 1, fn: 1, tn: 2 });
    expect(evaluation.metrics.el).toMatchObject({ predicted: 3, matched_pred: 2, gold: 3, matched_gold: 2 });
    expect(evaluation.rows.map((r) => r.outcome)).toEqual(['tp', 'fp', 'tp', 'tn', 'fn', 'tn']);
    expect(evaluation.rows[1]?.spurious).toBe(1);
    // The export reads back as the same predictions.
    const back = parsePredictionsJsonl(exportPredictions(await runs.listItems(run.id)));
    expect(back.issues).toEqual([]);
    expect(back.predictions.map((p) => [p.id, p.hasError])).toEqual(ITEMS.map((i) => [i.id, ['e1', 'c1', 'e2'].includes(i.id)]));
  });

  it('pauses after the item in work and resumes without running stored items again', async () => {
    const { runs } = freshDb();
    const run = await createRun(runs);
    const control = new RunControl();
    const first = createScriptedEngine((p) => scriptedAnswer(p));
    const paused = await runLoop({
      runId: run.id,
      items: ITEMS,
      config: CONFIG,
      engines: { verifier: first, reward: null },
      sink: runs,
      control,
      onProgress: (p) => {
        if (p.counts.stored === 2) control.pause();
      },
    });
    expect(paused.state).toBe('paused');
    expect(await runs.countItems(run.id)).toBe(2);
    const afterPause = await runs.get(run.id);
    expect(afterPause?.state).toBe('paused');
    expect(afterPause && isResumable(afterPause)).toBe(true);

    const second = createScriptedEngine((p) => scriptedAnswer(p));
    const resumed = await runLoop({ runId: run.id, items: ITEMS, config: CONFIG, engines: { verifier: second, reward: null }, sink: runs });
    expect(resumed.state).toBe('completed');
    expect(second.generateCalls).toHaveLength(4);
    expect(second.generateCalls.some((c) => userText(c).includes(ITEMS[0]?.text ?? '?'))).toBe(false);
    expectEveryItemOnce(await runs.listItems(run.id));
  });

  it('cancels: the run ends as cancelled with what was stored, and cannot be executed again', async () => {
    const { runs, datasets } = freshDb();
    const run = await createRun(runs);
    const control = new RunControl();
    const outcome = await runLoop({
      runId: run.id,
      items: ITEMS,
      config: CONFIG,
      engines: { verifier: createScriptedEngine((p) => scriptedAnswer(p), { chunkDelayMs: 1 }), reward: null },
      sink: runs,
      control,
      onProgress: (p) => {
        if (p.counts.stored === 3) control.cancel();
      },
    });
    expect(outcome.state).toBe('cancelled');
    expect(await runs.countItems(run.id)).toBe(3);
    const saved = await runs.get(run.id);
    expect(saved?.state).toBe('cancelled');
    expect(saved && isResumable(saved)).toBe(false);
    await expect(
      executeRun({ runId: run.id, runs, datasets: { name: async () => 'x', items: datasets.items }, loadEngine: async () => { throw new Error('not reached'); }, env: { appVersion: 't', userAgent: 'u', gpuAdapter: 'g' } }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('aborts the item in work on pause: it is not stored and runs again on resume', async () => {
    const { runs } = freshDb();
    const run = await createRun(runs);
    const control = new RunControl();
    let calls = 0;
    const engine = createScriptedEngine(
      (p) => {
        calls++;
        if (calls === 3) setTimeout(() => control.pause(), 0);
        return scriptedAnswer(p).padEnd(400, ' ');
      },
      { chunkDelayMs: 2 },
    );
    const outcome = await runLoop({ runId: run.id, items: ITEMS, config: CONFIG, engines: { verifier: engine, reward: null }, sink: runs, control });
    expect(outcome.state).toBe('paused');
    expect(await runs.countItems(run.id)).toBe(2);
    const again = createScriptedEngine((p) => scriptedAnswer(p));
    await runLoop({ runId: run.id, items: ITEMS, config: CONFIG, engines: { verifier: again, reward: null }, sink: runs });
    expect(again.generateCalls).toHaveLength(4);
    expectEveryItemOnce(await runs.listItems(run.id));
  });

  it('survives a crash mid-run: a new loop over the same database resumes and ends with every item exactly once', async () => {
    const db = freshDb();
    const run = await createRun(db.runs);
    const t0 = Date.now();
    const crashed = runLoop({
      runId: run.id,
      items: ITEMS,
      config: CONFIG,
      engines: { verifier: createScriptedEngine((p) => scriptedAnswer(p)), reward: null },
      sink: dyingSink(db.runs, 4),
      now: () => t0,
    });
    await expect(crashed).rejects.toThrow('simulated crash');

    // "Reload": new repositories over the same database.
    const { runs } = db.reopen();
    const orphan = await runs.get(run.id);
    expect(orphan?.state).toBe('running');
    expect(orphan?.counts.stored).toBe(4);
    expect(orphan && isResumable(orphan, t0 + 1_000)).toBe(false);
    expect(orphan && isResumable(orphan, t0 + STALE_HEARTBEAT_MS + 1)).toBe(true);

    const engine = createScriptedEngine((p) => scriptedAnswer(p));
    const outcome = await runLoop({ runId: run.id, items: ITEMS, config: CONFIG, engines: { verifier: engine, reward: null }, sink: runs });
    expect(outcome.state).toBe('completed');
    expect(outcome.counts).toMatchObject({ total: 6, stored: 6, done: 6 });
    expect(engine.generateCalls).toHaveLength(2);
    expectEveryItemOnce(await runs.listItems(run.id));
  });

  it('writes are idempotent: storing an item again replaces it and keeps the counts exact', async () => {
    const { runs } = freshDb();
    const run = await createRun(runs);
    await runLoop({ runId: run.id, items: ITEMS, config: CONFIG, engines: { verifier: createScriptedEngine((p) => scriptedAnswer(p)), reward: null }, sink: runs });
    const item = (await runs.getItem(run.id, 'e1')) as RunItemRecord;
    const counts = await runs.putItem({ ...item, status: 'failed' });
    expect(counts).toMatchObject({ stored: 6, done: 5, failed: 1 });
    expect(await runs.countItems(run.id)).toBe(6);
  });

  it('retries a failing item once, then records it as failed and counts it apart', async () => {
    const { runs } = freshDb();
    const run = await createRun(runs);
    let flakyCalls = 0;
    const engine = createScriptedEngine((p) => scriptedAnswer(p), {
      generateError: (p) => {
        const text = userText(p);
        if (text.includes('胰岛素')) return new Error('tokenizer exploded');
        if (text.includes('维生素C') && flakyCalls++ === 0) return new Error('transient');
        return undefined;
      },
    });
    const outcome = await runLoop({ runId: run.id, items: ITEMS, config: CONFIG, engines: { verifier: engine, reward: null }, sink: runs });
    expect(outcome.state).toBe('completed');
    expect(outcome.counts).toMatchObject({ stored: 6, done: 5, failed: 1 });
    const stored = await runs.listItems(run.id);
    expectEveryItemOnce(stored);
    const failed = stored.find((r) => r.itemId === 'e3');
    expect(failed).toMatchObject({ status: 'failed', attempts: 2 });
    expect(failed?.error?.message).toContain('tokenizer exploded');
    expect(stored.find((r) => r.itemId === 'c3')).toMatchObject({ status: 'done', attempts: 2 });
    expect(engine.generateCalls.filter((c) => userText(c).includes('胰岛素'))).toHaveLength(2);
    const evaluation = evaluateRun(ITEMS, stored, { criterion: 'span', resamples: 20 });
    expect(evaluation.failed).toBe(1);
    expect(evaluation.metrics.n).toBe(5);
  });

  it('stops as paused with the error when the GPU device is lost, without failing the remaining items', async () => {
    const { runs } = freshDb();
    const run = await createRun(runs);
    const engine = createScriptedEngine((p) => scriptedAnswer(p), {
      generateError: (_p, i) => (i === 2 ? new MedfactError('DEVICE_LOST', 'GPU device was lost') : undefined),
    });
    const outcome = await runLoop({ runId: run.id, items: ITEMS, config: CONFIG, engines: { verifier: engine, reward: null }, sink: runs });
    expect(outcome.state).toBe('paused');
    expect(outcome.error?.code).toBe('DEVICE_LOST');
    expect(await runs.countItems(run.id)).toBe(2);
    const saved = await runs.get(run.id);
    expect(saved?.error?.code).toBe('DEVICE_LOST');
    expect(saved && isResumable(saved)).toBe(true);
  });
});

describe('executeRun', () => {
  const env = { appVersion: '9.9.9', userAgent: 'TestAgent/1', gpuAdapter: 'google swiftshader [fallback]' };

  it('loads the configured models, records provenance, and adds a session on resume', async () => {
    const { runs, datasets } = freshDb();
    await datasets.save(
      {
        v: 1, id: 'ds1', name: 'fixture set', createdAt: 1, origin: 'demo', contentHash: 'hash1', unit: 'span', itemCount: ITEMS.length,
        stats: {} as never, mapping: {}, notes: [], rejected: [], rejectedCount: 0, warningCount: 0,
      },
      ITEMS,
    );
    const run = await createRun(runs);
    const loads: string[] = [];
    const loader: EngineLoader = async (spec) => {
      loads.push(spec.id);
      const engine = createScriptedEngine((p) => scriptedAnswer(p));
      return { engine, loaded: await engine.load(spec) };
    };
    const control = new RunControl();
    const first = await executeRun({
      runId: run.id, runs, datasets: { name: async (id) => (await datasets.get(id))?.name ?? null, items: datasets.items }, loadEngine: loader, env, control,
      onProgress: (p) => { if (p.counts.stored === 1) control.pause(); },
    });
    expect(first.state).toBe('paused');
    const p1 = (await runs.get(run.id))?.provenance;
    expect(p1).toMatchObject({
      verifier: { id: 'fake/verifier', revision: 'r1', engine: 'transformers', device: 'wasm', dtype: 'q8', library: 'scripted-fake' },
      reward: null,
      promptId: 'medfact-verifier/zero-shot',
      promptVersion: 'v1',
      answerFormat: 'answer-v1',
      appVersion: '9.9.9',
      userAgent: 'TestAgent/1',
      gpuAdapter: 'google swiftshader [fallback]',
      datasetId: 'ds1',
      datasetHash: 'hash1',
      datasetName: 'fixture set',
      itemCount: 6,
      seed: 7,
    });
    expect(p1?.promptHash).toMatch(/\S{6,}/);
    expect(p1?.sessions).toHaveLength(1);

    const second = await executeRun({ runId: run.id, runs, datasets: { name: async () => 'fixture set', items: datasets.items }, loadEngine: loader, env });
    expect(second.state).toBe('completed');
    const saved = await runs.get(run.id);
    expect(saved?.provenance?.sessions).toHaveLength(2);
    expect(saved?.provenance?.date).toBe(p1?.date);
    expect(loads).toEqual(['fake/verifier', 'fake/verifier']);
    expectEveryItemOnce(await runs.listItems(run.id));
  });

  it('a model that fails to load leaves the run paused with the reason', async () => {
    const { runs, datasets } = freshDb();
    await datasets.save(
      { v: 1, id: 'ds1', name: 'd', createdAt: 1, origin: 'demo', contentHash: 'hash1', unit: 'span', itemCount: ITEMS.length, stats: {} as never, mapping: {}, notes: [], rejected: [], rejectedCount: 0, warningCount: 0 },
      ITEMS,
    );
    const run = await createRun(runs);
    const outcome = await executeRun({
      runId: run.id, runs, datasets: { name: async () => 'd', items: datasets.items }, env,
      loadEngine: async () => { throw new MedfactError('NOT_FOUND', 'model file missing'); },
    });
    expect(outcome).toMatchObject({ state: 'paused', error: { code: 'NOT_FOUND' } });
    expect((await runs.get(run.id))?.error?.code).toBe('NOT_FOUND');
  });
});
