/**
 * Benchmark runs with the formulary rules (issue 12): rules only (no model is
 * loaded at all) and model + rules, with the formulary's hash in provenance.
 */
import { describe, expect, it } from 'vitest';
import { createScriptedEngine } from '../../../fixtures/scripted-engine';
import { newRunRecord } from '../../../../src/domain/bench/create-run';
import { executeRun, type EngineLoader } from '../../../../src/domain/bench/execute-run';
import { evaluateRun } from '../../../../src/domain/bench/run-results';
import type { RunConfig } from '../../../../src/core/run-record';
import { importFormulary } from '../../../../src/core/meds';
import { CONFIG, freshDb, ITEMS, scriptedAnswer } from './bench-fixtures';

const env = { appVersion: '9.9.9', userAgent: 'TestAgent/1', gpuAdapter: 'none' };

async function setup(mode: 'rules' | 'model+rules') {
  const f = await importFormulary(new TextEncoder().encode('通用名,单次最大剂量,来源\n阿莫西林,1 g,阿莫西林胶囊说明书\n'), { fileName: 'f.csv' });
  const config: RunConfig = { ...CONFIG, formulary: { mode, hash: f.hash, fileName: 'f.csv', rows: f.rows } };
  const { runs, datasets } = freshDb();
  await datasets.save(
    { v: 1, id: 'ds1', name: 'fixture set', createdAt: 1, origin: 'demo', contentHash: 'hash1', unit: 'span', itemCount: ITEMS.length, stats: {} as never, mapping: {}, notes: [], rejected: [], rejectedCount: 0, warningCount: 0 },
    ITEMS,
  );
  const run = newRunRecord({ name: mode, datasetId: 'ds1', datasetHash: 'hash1', selection: { seed: 1 }, itemIds: ITEMS.map((i) => i.id), config });
  await runs.create(run);
  return { runs, datasets, run, hash: f.hash };
}

describe('benchmark with formulary rules', () => {
  it('rules only: loads no model, flags the dose on its own, records the formulary hash', async () => {
    const { runs, datasets, run, hash } = await setup('rules');
    const loads: string[] = [];
    const loader: EngineLoader = async (spec) => {
      loads.push(spec.id);
      throw new Error('a rules-only run must not load a model');
    };
    const outcome = await executeRun({ runId: run.id, runs, datasets: { name: async () => 'fixture set', items: datasets.items }, loadEngine: loader, env });
    expect(outcome.state).toBe('completed');
    expect(loads).toEqual([]);
    const saved = await runs.get(run.id);
    expect(saved?.provenance).toMatchObject({ verifier: null, formulary: { mode: 'rules', hash, fileName: 'f.csv' } });
    const items = await runs.listItems(run.id);
    const e2 = items.find((i) => i.itemId === 'e2');
    expect(e2?.prediction).toMatchObject({ hasError: true, spans: [expect.objectContaining({ text: '5克' })] });
    expect(items.filter((i) => i.prediction?.hasError).map((i) => i.itemId)).toEqual(['e2']);
    const evaluation = evaluateRun(ITEMS, items, { criterion: 'span', resamples: 20 });
    expect(evaluation.metrics.vc).toMatchObject({ tp: 1, fp: 0, fn: 2, tn: 3 });
    expect(evaluation.metrics.el).toMatchObject({ predicted: 1, matched_pred: 1 });
  });

  it('model + rules: the overlapping model and rule findings become one, the model’s other findings stay', async () => {
    const { runs, datasets, run, hash } = await setup('model+rules');
    const loader: EngineLoader = async (spec) => {
      const engine = createScriptedEngine((p) => scriptedAnswer(p));
      return { engine, loaded: await engine.load(spec) };
    };
    const outcome = await executeRun({ runId: run.id, runs, datasets: { name: async () => 'fixture set', items: datasets.items }, loadEngine: loader, env });
    expect(outcome.state).toBe('completed');
    expect((await runs.get(run.id))?.provenance).toMatchObject({ verifier: { id: 'fake/verifier' }, formulary: { mode: 'model+rules', hash } });
    const items = await runs.listItems(run.id);
    const e2 = items.find((i) => i.itemId === 'e2');
    expect(e2?.findings.map((f) => f.quote)).toEqual(['5克']);
    expect(e2?.findings[0]?.reason).toContain('超过本院处方集单次最大剂量');
    expect(e2?.findings[0]?.reason).toContain('与医学常识不符');
    expect(items.filter((i) => i.prediction?.hasError).map((i) => i.itemId).sort()).toEqual(['c1', 'e1', 'e2']);
  });
});
