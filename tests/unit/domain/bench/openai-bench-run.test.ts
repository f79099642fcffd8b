/**
 * A benchmark run in the app's run loop (executeRun, as the bench worker
 * drives it) with the verifier on an inference server: the engine the bench
 * worker creates for `engine: 'openai'` (base URL from the spec's source)
 * against the REAL conformance server; every item stored once, provenance
 * names the openai engine and the server.
 */
import { describe, expect, it } from 'vitest';
import { newRunRecord } from '../../../../src/domain/bench/create-run';
import { executeRun, type EngineLoader } from '../../../../src/domain/bench/execute-run';
import type { RunConfig } from '../../../../src/core/run-record';
import { createOpenAIEngine } from '../../../../workers/openai-engine';
import { startOpenAIServer } from '../../../fixtures/openai-server';
import { CONFIG, freshDb, ITEMS } from './bench-fixtures';

const MODEL = 'fixture/tiny-verifier-small';

describe('bench run on an inference server', () => {
  it('runs every item once through the server and records the engine in provenance', async () => {
    const server = await startOpenAIServer();
    try {
      const { runs, datasets } = freshDb();
      await datasets.save(
        { v: 1, id: 'ds1', name: 'fixture set', createdAt: 1, origin: 'demo', contentHash: 'hash1', unit: 'span', itemCount: ITEMS.length, stats: {} as never, mapping: {}, notes: [], rejected: [], rejectedCount: 0, warningCount: 0 },
        ITEMS,
      );
      const config: RunConfig = { ...CONFIG, verifier: { spec: { id: MODEL, engine: 'openai', task: 'text-generation', device: 'cpu', dtype: 'fp32', source: { hubHost: server.url } } } };
      const run = newRunRecord({ name: 'server run', datasetId: 'ds1', datasetHash: 'hash1', selection: { seed: 7 }, itemIds: ITEMS.map((i) => i.id), config });
      await runs.create(run);
      // What workers/bench-worker.ts does for engine 'openai'.
      const loader: EngineLoader = async (spec, _role, onProgress, signal) => {
        const engine = createOpenAIEngine();
        return { engine, loaded: await engine.load(spec, { onProgress, signal }) };
      };
      const outcome = await executeRun({ runId: run.id, runs, datasets: { name: async () => 'fixture set', items: datasets.items }, loadEngine: loader, env: { appVersion: 't', userAgent: 'u', gpuAdapter: 'none' } });
      expect(outcome.state).toBe('completed');
      const stored = await runs.listItems(run.id);
      expect(stored.map((r) => r.itemId).sort()).toEqual(ITEMS.map((i) => i.id).sort());
      expect(stored.every((r) => r.status === 'done')).toBe(true);
      const saved = await runs.get(run.id);
      expect(saved?.provenance?.verifier).toMatchObject({ id: MODEL, engine: 'openai', contextTokens: 8192, library: `openai-compatible server ${new URL(server.url).host}` });
      expect(server.requests.filter((r) => r.model === MODEL).length).toBeGreaterThanOrEqual(ITEMS.length);
    } finally {
      await server.close();
    }
  });
});
