import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG } from '../../../../../src/domain/catalog/catalog';

/** One row per verifier (its judge shares the row) and one per embedder. */
const EMBEDDER_COUNT = DEFAULT_CATALOG.filter((e) => e.role === 'embedder').length;
const ROW_COUNT = (DEFAULT_CATALOG.length - EMBEDDER_COUNT) / 2 + EMBEDDER_COUNT;
import { recommendDefaults } from '../../../../../src/domain/catalog/recommend';
import type { CatalogModel } from '../../../../../src/domain/catalog/schema';
import { buildCatalogRows, DEFAULT_FILTER, filterRows, rowKey, type RowContext } from '../../../../../src/features/models/components/catalog-rows';
import { makeCaps } from '../../../../kit/capabilities';
import { fixtureVerifierEntry } from '../../../../kit/catalog-entries';

const SOURCE = { hubHost: 'https://huggingface.co', libHost: 'https://libs.example/' };
const FIXTURE = fixtureVerifierEntry();

function context(caps: RowContext['caps'], entries: readonly CatalogModel[], configured: readonly CatalogModel[] = []): RowContext {
  return {
    caps,
    source: SOURCE,
    recommendation: caps ? recommendDefaults(caps, entries) : null,
    configKeys: new Set(configured.map(rowKey)),
    customKeys: new Set(),
  };
}

describe('buildCatalogRows', () => {
  it('gives one row per download, with the verifier and its judge as two roles of it', () => {
    const rows = buildCatalogRows(DEFAULT_CATALOG, context(null, DEFAULT_CATALOG));
    // every default verifier has a judge built from the same weights
    expect(rows).toHaveLength(ROW_COUNT);
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
    for (const r of rows) {
      // an embedder is a row of its own, with that one role
      expect(r.roles).toEqual(r.entry.role === 'embedder' ? ['embedder'] : ['verifier', 'reward']);
      expect(r.entry.role).toBe(r.entry.task === 'feature-extraction' ? 'embedder' : 'verifier');
      expect(r.runs.kind).toBe('unknown');
    }
    expect(rows.filter((r) => r.roles.includes('embedder')).map((r) => r.entry.id)).toEqual(expect.arrayContaining(['Xenova/bge-small-zh-v1.5']));
  });

  it('on a GPU with shader-f16 puts the recommended WebLLM build first, marked for both roles', () => {
    const caps = makeCaps({ gpu: 'hardware', shaderF16: true, memoryGiB: 8 });
    const rows = buildCatalogRows(DEFAULT_CATALOG, context(caps, DEFAULT_CATALOG));
    const rec = recommendDefaults(caps, DEFAULT_CATALOG);
    expect(rows[0]?.entry.id).toBe(rec.verifier.id);
    expect(rows[0]?.recommendedFor).toEqual(['verifier', 'reward']);
    expect(rows.slice(1).every((r) => r.recommendedFor.length === 0)).toBe(true);
    // the recommended engine's models come before the other engine's
    expect(rows[1]?.entry.engine).toBe('webllm');
    const big = rows.find((r) => r.entry.id === 'Qwen3-8B-q4f16_1-MLC');
    expect(big?.runs).toEqual({ kind: 'yes', device: 'webgpu', dtype: 'q4f16', warning: 'memory' });
    const small = rows.find((r) => r.entry.id === 'Qwen3-0.6B-q4f16_1-MLC');
    expect(small?.runs).toEqual({ kind: 'yes', device: 'webgpu', dtype: 'q4f16', warning: null });
    expect(small?.downloadBytes).toBe(small?.entry.sizeBytes);
  });

  it('without shader-f16 says why the f16 builds cannot run, and the filter hides them', () => {
    const caps = makeCaps({ gpu: 'hardware', shaderF16: false, memoryGiB: 8 });
    const rows = buildCatalogRows(DEFAULT_CATALOG, context(caps, DEFAULT_CATALOG));
    const f16 = rows.filter((r) => r.entry.engine === 'webllm' && r.entry.dtypes[0] === 'q4f16');
    expect(f16.length).toBeGreaterThan(0);
    for (const r of f16) expect(r.runs).toEqual({ kind: 'no', reason: 'no-shader-f16' });
    // the ONNX builds fall back to q4 on this GPU
    expect(rows.find((r) => r.entry.id === 'onnx-community/Qwen3-0.6B-ONNX')?.dtype).toBe('q4');
    const shown = filterRows(rows, DEFAULT_FILTER);
    expect(shown.some((r) => r.runs.kind === 'no')).toBe(false);
    expect(shown.length).toBe(rows.length - f16.length);
    expect(rows[0]?.entry.dtypes).toEqual(['q4f32']);
  });

  it('without WebGPU recommends a CPU model, marks WebLLM as needing WebGPU, and never hides deployment entries', () => {
    const caps = makeCaps({ gpu: 'none', memoryGiB: 8 });
    const configWebllm: CatalogModel = { ...FIXTURE, id: 'hospital/webllm-model', engine: 'webllm', dtypes: ['q4f32'], label: { zh: '院内模型', en: 'Hospital model' } };
    const configured = [FIXTURE, configWebllm];
    const entries = [...DEFAULT_CATALOG, ...configured];
    const rows = buildCatalogRows(entries, context(caps, entries, configured));
    expect(rows[0]?.entry.engine).toBe('transformers');
    expect(rows[0]?.recommendedFor).toEqual(['verifier', 'reward']);
    expect(rows[0]?.runs).toMatchObject({ kind: 'yes', device: 'wasm', dtype: 'q8' });
    // deployment entries follow the recommendation
    expect(rows.slice(1, 3).map((r) => r.pinned)).toEqual(['config', 'config']);
    for (const r of rows.filter((x) => x.entry.engine === 'webllm')) expect(r.runs).toEqual({ kind: 'no', reason: 'no-webgpu' });

    const shown = filterRows(rows, DEFAULT_FILTER).map((r) => r.entry.id);
    expect(shown).toContain(FIXTURE.id);
    expect(shown).toContain(configWebllm.id); // cannot run here, but the deployment listed it
    expect(shown).not.toContain('Qwen3-0.6B-q4f32_1-MLC');
    expect(filterRows(rows, { ...DEFAULT_FILTER, runnableOnly: false })).toHaveLength(rows.length);
  });

  it('lets a deployment entry replace the default entry of the same model and role', () => {
    const base = DEFAULT_CATALOG.find((e) => e.id === 'onnx-community/Qwen3-0.6B-ONNX' && e.role === 'verifier') as CatalogModel;
    const replaced = { ...base, license: 'Hospital-licence', label: { zh: '院内版', en: 'Hospital build' } };
    const entries = [...DEFAULT_CATALOG, replaced];
    const rows = buildCatalogRows(entries, context(null, entries, [replaced]));
    const row = rows.find((r) => r.key === rowKey(base));
    expect(row?.entry.license).toBe('Hospital-licence');
    expect(row?.roles).toEqual(['verifier', 'reward']);
    expect(row?.pinned).toBe('config');
    expect(rows).toHaveLength(ROW_COUNT);
  });

  it('before the device is measured hides nothing', () => {
    const rows = buildCatalogRows(DEFAULT_CATALOG, context(null, DEFAULT_CATALOG));
    expect(filterRows(rows, DEFAULT_FILTER)).toHaveLength(rows.length);
  });
});

describe('filterRows', () => {
  const entries = [...DEFAULT_CATALOG, FIXTURE];
  const rows = buildCatalogRows(entries, context(null, entries));
  const ids = (f: Partial<typeof DEFAULT_FILTER>) => filterRows(rows, { ...DEFAULT_FILTER, ...f }).map((r) => r.entry.id);

  it('matches every word of the text, case-insensitively, in the Chinese or English name, id, build or licence', () => {
    expect(ids({ text: '测试' })).toEqual([FIXTURE.id]);
    expect(ids({ text: 'FIXTURE verifier' })).toEqual([FIXTURE.id]);
    expect(ids({ text: 'qwen3 8b q4f32' })).toEqual(['Qwen3-8B-q4f32_1-MLC']);
    expect(ids({ text: 'qwen-research' }).every((id) => id.startsWith('Qwen2.5-3B'))).toBe(true);
    expect(ids({ text: '没有这个模型' })).toEqual([]);
  });

  it('filters by engine and by role', () => {
    // 4 ONNX verifiers, the fixture and 2 embedders
    expect(ids({ engine: 'transformers' })).toHaveLength(7);
    expect(ids({ role: 'embedder' })).toEqual(expect.arrayContaining(['Xenova/bge-small-zh-v1.5', 'Xenova/multilingual-e5-small']));
    expect(ids({ role: 'embedder' })).toHaveLength(2);
    expect(ids({ engine: 'webllm' }).every((id) => id.endsWith('-MLC'))).toBe(true);
    // the fixture is a verifier only
    expect(ids({ role: 'reward' })).not.toContain(FIXTURE.id);
    expect(ids({ role: 'verifier' })).toContain(FIXTURE.id);
  });
});
