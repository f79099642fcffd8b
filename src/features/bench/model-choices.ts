/**
 * Models a run can use: installed models (from the models store in
 * IndexedDB) and the deployment catalog's entries (downloaded from the
 * configured source on first load). Each becomes the ModelSpec the bench
 * worker loads; the device defaults to WASM and the form can switch it.
 * Each model is listed once, by its catalog label (the id is the option's
 * tooltip and stays in the run's spec and exports), as in the checker.
 */
import { useEffect, useState } from 'react';
import { modelLabel } from '../../domain/catalog/catalog';
import type { CatalogModel } from '../../domain/catalog/schema';
import { useLocaleStore } from '../../i18n';
import type { ModelSpec, ModelTask } from '../../protocol/engine';
import { modelsRepo, type ModelInstallRecord } from '../../storage/models-repo';
import { useAppStore } from '../../stores/app-store';
import { useCatalog } from '../../stores/catalog-store';

export interface ModelChoice {
  key: string;
  label: string;
  role: 'verifier' | 'reward';
  spec: ModelSpec;
  /** Classifiers: the label that means "this is an error" (from the catalog). */
  positiveLabel?: string;
  /** A model on an inference server (app-config.json inferenceEndpoints): the texts go to this host. */
  remote?: { label: string; host: string };
}

function positiveLabelOf(entry: unknown): string | undefined {
  const v = entry && typeof entry === 'object' ? (entry as { positiveLabel?: unknown }).positiveLabel : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function fromRecord(r: ModelInstallRecord, name: string): ModelChoice | null {
  if (r.state !== 'installed' || r.task === 'feature-extraction') return null;
  const task: ModelTask = r.task ?? 'text-generation';
  const spec: ModelSpec = { id: r.modelId, engine: r.engine, task, device: r.engine === 'webllm' ? 'webgpu' : 'wasm', dtype: r.dtype, source: r.source };
  if (r.modelLib) spec.modelLib = r.modelLib;
  if (task === 'text-classification') spec.skipWarmup = true;
  return { key: `installed:${r.id}`, label: `${name} · ${r.dtype}`, role: task === 'text-classification' ? 'reward' : 'verifier', spec };
}

export function useModelChoices(): { verifiers: ModelChoice[]; rewards: ModelChoice[] } {
  const config = useAppStore((s) => s.config);
  const catalog = useCatalog();
  const lang = useLocaleStore((s) => (s.locale === 'en' ? 'en' : 'zh'));
  const [records, setRecords] = useState<ModelInstallRecord[]>([]);
  useEffect(() => {
    let live = true;
    modelsRepo.list().then(
      (list) => live && setRecords(list),
      () => live && setRecords([]),
    );
    return () => {
      live = false;
    };
  }, []);

  const choices: ModelChoice[] = [];
  const seen = new Set<string>();
  /** An installed model is listed once, and its catalog entry is not offered again for download. */
  const installed = new Set<string>();
  for (const r of records) {
    const c = fromRecord(r, modelLabel(catalog, r.modelId, lang));
    if (c && !seen.has(`${c.spec.id}|${c.spec.dtype}`)) {
      seen.add(`${c.spec.id}|${c.spec.dtype}`);
      installed.add(`${c.spec.engine}:${c.spec.id}`);
      choices.push(c);
    }
  }
  for (const entry of config.catalog as readonly CatalogModel[]) {
    // Embedders serve the reference library, not a run's verifier or reward role.
    if (entry.role === 'embedder') continue;
    const dtype = entry.dtypes.find((d) => !d.includes('f16')) ?? entry.dtypes[0];
    if (!dtype || installed.has(`${entry.engine}:${entry.id}`) || seen.has(`${entry.id}|${dtype}`)) continue;
    seen.add(`${entry.id}|${dtype}`);
    const spec: ModelSpec = {
      id: entry.id,
      engine: entry.engine,
      task: entry.task,
      device: entry.engine === 'webllm' ? 'webgpu' : 'wasm',
      dtype,
      source: { hubHost: config.modelHost, libHost: config.modelLibHost, mirrorOnly: config.mirrorOnly },
    };
    if (entry.modelLib) spec.modelLib = entry.modelLib;
    if (entry.contextTokens) spec.contextTokens = entry.contextTokens;
    if (entry.task === 'text-classification') spec.skipWarmup = true;
    choices.push({ key: `catalog:${entry.engine}:${entry.id}:${dtype}`, label: `${entry.label[lang]} · ${dtype}`, role: entry.role, spec });
  }
  // Inference servers IT allows: the bench worker runs the OpenAI-compatible engine against spec.source.hubHost.
  for (const ep of config.inferenceEndpoints ?? []) {
    let host: string;
    try {
      host = new URL(ep.baseUrl).host;
    } catch {
      continue;
    }
    const serverChoice = (model: string, role: 'verifier' | 'reward'): ModelChoice => ({
      key: `openai:${ep.id}/${model}:${role}`,
      label: `${model} · ${ep.label}`,
      role,
      spec: { id: model, engine: 'openai', task: 'text-generation', device: 'cpu', dtype: 'fp32', source: { hubHost: ep.baseUrl } },
      remote: { label: ep.label, host },
    });
    for (const m of ep.models) choices.push(serverChoice(m, 'verifier'));
    if (ep.judge) choices.push(serverChoice(ep.judge, 'reward'));
  }
  for (const c of choices) {
    const label = positiveLabelOf(catalog.find((e) => e.id === c.spec.id && e.role === 'reward') ?? catalog.find((e) => e.id === c.spec.id));
    if (label) c.positiveLabel = label;
  }
  return {
    verifiers: choices.filter((c) => c.spec.task === 'text-generation' && !(c.remote && c.role === 'reward')),
    rewards: choices.filter((c) => c.role === 'reward' || c.spec.task === 'text-classification'),
  };
}
