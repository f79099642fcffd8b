/**
 * The catalog as table rows: one row per downloadable model (engine + id),
 * whatever roles it serves, with whether it runs on this device and why not,
 * sorted so the recommended model comes first, and filtered by the toolbar.
 * Pure (no React, no DOM) so the ordering and filters are unit-tested.
 */
import { toModelSpec } from '../../../domain/catalog/model-spec';
import { gpuBudgetMB, wasmBudgetBytes } from '../../../domain/catalog/recommend';
import { downloadBytes, type CatalogModel } from '../../../domain/catalog/schema';
import type { Capabilities } from '../../../protocol/capabilities';
import type { Device, Dtype, ModelSource } from '../../../protocol/engine';
import { MedfactError } from '../../../protocol/errors';

export type Engine = CatalogModel['engine'];
export type Role = CatalogModel['role'];

export type RunsHere =
  /** capabilities not measured yet: nothing is hidden or judged */
  | { kind: 'unknown' }
  | { kind: 'yes'; device: Device; dtype: Dtype; warning: 'memory' | 'software-gpu' | null }
  | { kind: 'no'; reason: 'no-webgpu' | 'no-shader-f16' | 'no-build' };

export interface CatalogRow {
  /** `engine:id`: the weights one install downloads */
  key: string;
  /** the entry that describes the row: its verifier entry where there is one */
  entry: CatalogModel;
  roles: Role[];
  /** roles this model is recommended for on this device */
  recommendedFor: Role[];
  /** listed by the deployment's app-config.json, or added by the user: never hidden by the default filters */
  pinned: 'config' | 'custom' | null;
  runs: RunsHere;
  /** the quantisation this device would install (the first offered before capabilities are known) */
  dtype: Dtype;
  downloadBytes: number;
}

export interface RowContext {
  caps: Capabilities | null;
  source: ModelSource;
  recommendation: { verifier: CatalogModel; reward: CatalogModel } | null;
  /** `engine:id` keys of app-config.json entries */
  configKeys: ReadonlySet<string>;
  /** `engine:id` keys of the user's custom entries */
  customKeys: ReadonlySet<string>;
}

export const rowKey = (e: Pick<CatalogModel, 'engine' | 'id'>): string => `${e.engine}:${e.id}`;


/**
 * Whether the model would exceed the memory budget the recommender uses
 * (src/domain/catalog/recommend.ts, rule 3). Shown as a warning, not a verdict:
 * browsers cap the memory they report.
 */
function overBudget(entry: CatalogModel, device: Device, dtype: Dtype, caps: Capabilities): boolean {
  if (device === 'webgpu') return entry.gpuMemoryMB !== undefined && entry.gpuMemoryMB > gpuBudgetMB(caps);
  return downloadBytes(entry, dtype) > wasmBudgetBytes(caps);
}

export function runsHere(entry: CatalogModel, caps: Capabilities | null, source: ModelSource): RunsHere {
  if (!caps) return { kind: 'unknown' };
  try {
    // The same decision the installer and the engine make (install-service targetFor).
    const spec = toModelSpec(entry, caps, source);
    const dtype = spec.dtype;
    let warning: 'memory' | 'software-gpu' | null = null;
    if (spec.device === 'webgpu' && caps.webgpu.adapter?.isFallbackAdapter) warning = 'software-gpu';
    else if (overBudget(entry, spec.device, dtype, caps)) warning = 'memory';
    return { kind: 'yes', device: spec.device, dtype, warning };
  } catch (e) {
    const code = e instanceof MedfactError ? e.code : null;
    return { kind: 'no', reason: code === 'NO_WEBGPU' ? 'no-webgpu' : code === 'NO_SHADER_F16' ? 'no-shader-f16' : 'no-build' };
  }
}

/** 0 best: runs cleanly, runs with a warning, not known yet, does not run. */
function runsRank(r: RunsHere): number {
  if (r.kind === 'yes') return r.warning ? 1 : 0;
  return r.kind === 'unknown' ? 2 : 3;
}

export function buildCatalogRows(entries: readonly CatalogModel[], ctx: RowContext): CatalogRow[] {
  const groups = new Map<string, CatalogModel[]>();
  for (const e of entries) {
    const key = rowKey(e);
    const list = groups.get(key) ?? [];
    // a later entry of the same role replaces an earlier one (config and custom entries override defaults)
    groups.set(key, [...list.filter((x) => x.role !== e.role), e]);
  }
  const rec = ctx.recommendation;
  const rows: CatalogRow[] = [];
  for (const [key, list] of groups) {
    const entry = list.find((e) => e.role === 'verifier') ?? (list[0] as CatalogModel);
    const roles = (['verifier', 'reward', 'embedder'] as const).filter((r) => list.some((e) => e.role === r));
    const recommendedFor = (['verifier', 'reward'] as const).filter((r) => rec && rowKey(rec[r]) === key && roles.includes(r));
    const runs = runsHere(entry, ctx.caps, ctx.source);
    const dtype = runs.kind === 'yes' ? runs.dtype : (entry.dtypes[0] ?? 'q4');
    rows.push({
      key,
      entry,
      roles,
      recommendedFor,
      pinned: ctx.configKeys.has(key) ? 'config' : ctx.customKeys.has(key) ? 'custom' : null,
      runs,
      dtype,
      downloadBytes: downloadBytes(entry, dtype),
    });
  }
  // The recommended engine's models first: on a GPU WebLLM, on the CPU transformers.js.
  const firstEngine = rec?.verifier.engine ?? null;
  const recRank = (r: CatalogRow): number => (r.recommendedFor.includes('verifier') ? 0 : r.recommendedFor.length > 0 ? 1 : 2);
  return rows.sort(
    (a, b) =>
      recRank(a) - recRank(b) ||
      Number(b.pinned !== null) - Number(a.pinned !== null) ||
      runsRank(a.runs) - runsRank(b.runs) ||
      Number(a.entry.engine !== firstEngine) - Number(b.entry.engine !== firstEngine) ||
      a.entry.engine.localeCompare(b.entry.engine) ||
      (a.entry.paramsB ?? 0) - (b.entry.paramsB ?? 0) ||
      a.entry.id.localeCompare(b.entry.id),
  );
}

export interface CatalogFilter {
  text: string;
  engine: Engine | 'all';
  role: Role | 'all';
  /** hide models this device cannot run (pinned entries always stay) */
  runnableOnly: boolean;
}

export const DEFAULT_FILTER: CatalogFilter = Object.freeze({ text: '', engine: 'all', role: 'all', runnableOnly: true });

function haystack(row: CatalogRow): string {
  const e = row.entry;
  return [e.id, e.label.zh, e.label.en, e.engine, e.engine === 'webllm' ? 'WebLLM' : 'transformers.js', e.license ?? '', ...e.dtypes].join(' ').toLowerCase();
}

export function filterRows(rows: readonly CatalogRow[], f: CatalogFilter): CatalogRow[] {
  const words = f.text.toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((row) => {
    if (f.engine !== 'all' && row.entry.engine !== f.engine) return false;
    if (f.role !== 'all' && !row.roles.includes(f.role)) return false;
    if (f.runnableOnly && row.runs.kind === 'no' && row.pinned === null) return false;
    if (words.length > 0) {
      const text = haystack(row);
      if (!words.every((w) => text.includes(w))) return false;
    }
    return true;
  });
}
