/** The bench worker's server through the generic client, in process: start, progress, pause, resume, import. */
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerClient, type WorkerClient } from '../../../../src/client/worker-client';
import { createImportCollector } from '../../../../src/domain/bench/import-chunks';
import { benchProtocol, type BenchMethods } from '../../../../src/domain/bench/bench-protocol';
import { newRunRecord } from '../../../../src/domain/bench/create-run';
import type { RunProgress } from '../../../../src/core/run-record';
import { demoSetJsonl } from '../../../../src/core/dataset/demo-set';
import { serveBench } from '../../../../workers/bench/serve-bench';
import { createScriptedEngine } from '../../../kit/scripted-engine';
import { inProcessWorker } from '../../protocol/ports';
import { CONFIG, freshDb, ITEMS, scriptedAnswer } from './bench-fixtures';

let client: WorkerClient<BenchMethods> | null = null;
afterEach(() => {
  client?.dispose();
  client = null;
});

async function setup() {
  const db = freshDb();
  await db.datasets.save(
    { v: 1, id: 'ds1', name: 'fixture', createdAt: 1, origin: 'demo', contentHash: 'h', unit: 'span', itemCount: ITEMS.length, stats: {} as never, mapping: {}, notes: [], rejected: [], rejectedCount: 0, warningCount: 0 },
    ITEMS,
  );
  const run = newRunRecord({ name: 'r', datasetId: 'ds1', datasetHash: 'h', selection: {}, itemIds: ITEMS.map((i) => i.id), config: CONFIG });
  await db.runs.create(run);
  let engines = 0;
  const worker = inProcessWorker((port) =>
    serveBench(port, {
      createEngine: () => {
        engines++;
        return createScriptedEngine((p) => scriptedAnswer(p), { chunkDelayMs: 1 });
      },
      runs: db.runs,
      datasets: db.datasets,
      userAgent: 'NodeTest',
      progressIntervalMs: 20,
    }),
  );
  client = createWorkerClient<BenchMethods>({ protocol: benchProtocol, createWorker: () => worker, name: 'bench worker' });
  return { db, run, client, engines: () => engines };
}

describe('bench worker', () => {
  it('runs a stored run, streams progress, pauses on request and resumes with the loaded engine', async () => {
    const { db, run, client: c, engines } = await setup();
    const seen: RunProgress[] = [];
    const first = c.request('start', { runId: run.id, appVersion: '1.0.0', gpuAdapter: 'none' }, {
      onProgress: (p) => {
        seen.push(p);
        if (p.counts.stored >= 2) void c.request('pause', { runId: run.id });
      },
    });
    const ended = await first;
    expect(ended.state).toBe('paused');
    expect(ended.counts.stored).toBeGreaterThanOrEqual(2);
    expect(ended.counts.stored).toBeLessThan(6);
    expect(seen.length).toBeGreaterThan(0);
    expect(await c.request('status', undefined)).toEqual({ activeRunId: null });

    const resumed = await c.request('resume', { runId: run.id, appVersion: '1.0.0', gpuAdapter: 'none' });
    expect(resumed.state).toBe('completed');
    expect(resumed.counts).toMatchObject({ total: 6, stored: 6, done: 6, failed: 0 });
    expect(await db.runs.countItems(run.id)).toBe(6);
    expect(engines()).toBe(1);
    const saved = await db.runs.get(run.id);
    expect(saved?.provenance?.userAgent).toBe('NodeTest');
    expect(saved?.provenance?.sessions).toHaveLength(2);
  });

  it('refuses a second run while one is active', async () => {
    const { db, run, client: c } = await setup();
    const other = newRunRecord({ name: 'r2', datasetId: 'ds1', datasetHash: 'h', selection: {}, itemIds: ['e1'], config: CONFIG });
    await db.runs.create(other);
    const first = c.request('start', { runId: run.id, appVersion: '1', gpuAdapter: 'none' });
    await expect(c.request('start', { runId: other.id, appVersion: '1', gpuAdapter: 'none' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await c.request('cancel', { runId: run.id });
    expect((await first).state).toBe('cancelled');
  });

  it('imports a dataset file off the page thread', async () => {
    const { client: c } = await setup();
    const file = new Blob([demoSetJsonl()], { type: 'application/jsonl' });
    const collect = createImportCollector();
    const chunks: number[] = [];
    const result = collect.finish(
      await c.request('importDataset', { file, fileName: 'demo.jsonl' }, { onChunk: (items) => (chunks.push(items.length), collect.onChunk(items)) }),
    );
    // Items arrive as chunk messages (no single huge message), in order.
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(40);
    expect(result.items).toHaveLength(40);
    const fileOrder = demoSetJsonl()
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(result.items.map((i) => i.id)).toEqual(fileOrder);
    expect(result.rejected).toEqual([]);
    expect(result.mapping.text).toBe('text');
  });

  it('stages an import in the worker (no items to the page) and saves it from there; a re-parse supersedes the held one', async () => {
    const { db, client: c } = await setup();
    const file = new Blob([demoSetJsonl()], { type: 'application/jsonl' });
    let chunks = 0;
    const first = await c.request('importDataset', { file, fileName: 'demo.jsonl', stage: true }, { onChunk: () => chunks++ });
    expect(chunks).toBe(0);
    expect(first.items).toEqual([]);
    expect(first.staged?.itemCount).toBe(40);
    // The mapping screen reads the file again after an edit: only the newest parse can be saved.
    const second = await c.request('importDataset', { file, fileName: 'demo.jsonl', stage: true });
    await expect(c.request('saveImport', { token: first.staged!.token, id: 'ds-demo', name: 'demo', fileName: 'demo.jsonl' })).rejects.toThrow(/choose the file again/);
    const record = await c.request('saveImport', { token: second.staged!.token, id: 'ds-demo', name: 'demo', fileName: 'demo.jsonl' });
    expect(record).toMatchObject({ id: 'ds-demo', name: 'demo', itemCount: 40, contentHash: second.contentHash, origin: 'import' });
    expect(await db.datasets.get('ds-demo')).toMatchObject({ itemCount: 40, contentHash: second.contentHash });
    const stored = await db.datasets.items('ds-demo');
    const fileOrder = demoSetJsonl()
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(stored.map((i) => i.id)).toEqual(fileOrder);
    // Saved once: the worker let go of the items.
    await expect(c.request('saveImport', { token: second.staged!.token, id: 'ds-demo', name: 'demo', fileName: 'demo.jsonl' })).rejects.toThrow(/no longer held/);
  });
});
