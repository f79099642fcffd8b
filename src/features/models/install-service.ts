/**
 * Connects the Models screen to the installer: plans and runs installs on
 * the page (all I/O is async; hashing large files is streamed), keeps one
 * AbortController for cancel, and drives the store through getState().
 */
import type { Capabilities } from '../../protocol/capabilities';
import type { ModelSource } from '../../protocol/engine';
import { isAbortError, serializeError, toMedfactError } from '../../protocol/errors';
import type { AppConfig } from '../../domain/config/schema';
import { toModelSpec } from '../../domain/catalog/model-spec';
import type { CatalogModel } from '../../domain/catalog/schema';
import { browserInstallerDeps, clearAll, deleteModel, installModel, readEstimate, verifyInstalled, type InstallerDeps } from '../../domain/install/installer';
import { importFromFiles, type PickedFile } from '../../domain/install/import-files';
import { makePlan, planInstall } from '../../domain/install/plan';
import type { InstallTarget } from '../../domain/install/types';
import { modelsRepo, type ModelInstallRecord } from '../../storage/models-repo';
import { useModelsStore, type SourceSettings } from './models-store';

const SOURCE_KEY = 'medfact-lens.model-source';

let controller: AbortController | null = null;
let depsOverride: InstallerDeps | null = null;

/** Tests may swap the browser dependencies (an in-memory cache, a fake estimate). */
export function setInstallerDepsForTesting(deps: InstallerDeps | null): void {
  depsOverride = deps;
}

async function deps(): Promise<InstallerDeps> {
  return depsOverride ?? browserInstallerDeps(modelsRepo);
}

/** The source the installer and the engines use: settings override the deployment config unless it enforces mirror-only. */
export function effectiveSource(config: Pick<AppConfig, 'modelHost' | 'modelLibHost' | 'mirrorOnly'>, settings: SourceSettings): ModelSource {
  if (config.mirrorOnly) return { hubHost: config.modelHost, libHost: config.modelLibHost, mirrorOnly: true };
  return { hubHost: settings.hubHost ?? config.modelHost, libHost: settings.libHost ?? config.modelLibHost, mirrorOnly: false };
}

export function loadSourceSettings(): SourceSettings {
  try {
    const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(SOURCE_KEY);
    const v = raw ? (JSON.parse(raw) as Partial<SourceSettings>) : {};
    return { hubHost: typeof v.hubHost === 'string' ? v.hubHost : null, libHost: typeof v.libHost === 'string' ? v.libHost : null };
  } catch {
    return { hubHost: null, libHost: null };
  }
}

export function saveSourceSettings(settings: SourceSettings): void {
  useModelsStore.getState().setSource(settings);
  try {
    localStorage.setItem(SOURCE_KEY, JSON.stringify(settings));
  } catch {
    // private mode: the setting lasts for this session only
  }
}

/** What to install for a catalog entry on this device; null when the device cannot run it. */
export function targetFor(entry: CatalogModel, caps: Capabilities | null, source: ModelSource): InstallTarget | null {
  const src = entry.hubHost ? { ...source, hubHost: entry.hubHost } : source;
  let dtype = entry.dtypes[0];
  if (caps) {
    try {
      dtype = toModelSpec(entry, caps, source).dtype;
    } catch {
      return null;
    }
  }
  if (!dtype) return null;
  const t: InstallTarget = { id: entry.id, engine: entry.engine, dtype, task: entry.task, source: src };
  if (entry.modelLib) t.modelLib = entry.modelLib;
  return t;
}

export async function refreshModels(): Promise<void> {
  const store = useModelsStore.getState();
  try {
    const d = await deps();
    const [records, estimate] = await Promise.all([d.repo.list(), readEstimate(d.storage)]);
    const persisted = d.storage?.persisted ? await d.storage.persisted().catch(() => null) : null;
    store.setRecords(records);
    store.setStorage({ ...estimate, persisted });
  } catch (e) {
    store.setNotice({ error: serializeError(e) });
  }
}

function fail(e: unknown, recordId?: string, name?: string): void {
  if (isAbortError(e)) return; // cancel is quiet
  const notice = { error: serializeError(toMedfactError(e)), ...(recordId ? { recordId } : {}), ...(name ? { name } : {}) };
  useModelsStore.getState().setNotice(notice);
}

async function run(recordId: string, name: string, kind: 'download' | 'import', files: string[], work: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  const store = useModelsStore.getState();
  if (store.active) return;
  controller = new AbortController();
  store.startActive({ recordId, name, kind, files });
  let completed = false;
  try {
    await work(controller.signal);
    completed = true;
    useModelsStore.getState().setSuccess({ key: kind === 'import' ? 'models.import.done' : 'models.progress.done', name });
  } catch (e) {
    fail(e, recordId, name);
  } finally {
    controller = null;
    useModelsStore.getState().endActive(completed);
    await refreshModels();
  }
}

export async function startInstall(target: InstallTarget, name: string): Promise<void> {
  const d = await deps();
  let plan;
  try {
    plan = await planInstall(target, { fetch: d.fetch });
  } catch (e) {
    fail(e, undefined, name);
    return;
  }
  await run(plan.recordId, name, 'download', plan.files.map((f) => f.path), (signal) =>
    installModel(plan, d, { signal, onProgress: (p) => useModelsStore.getState().applyProgress(p) }),
  );
}

/** Resumes a partial install from its record's file list (no new planning request). */
export async function resumeInstall(record: ModelInstallRecord): Promise<void> {
  const d = await deps();
  const target: InstallTarget = { id: record.modelId, engine: record.engine, dtype: record.dtype, source: record.source };
  if (record.task) target.task = record.task;
  if (record.modelLib) target.modelLib = record.modelLib;
  const plan = makePlan(target, record.files.map(({ done: _done, ...f }) => f));
  if (record.origin === 'import') {
    fail(new Error('An imported model cannot be resumed; import the files again.'), record.id, record.modelId);
    return;
  }
  await run(plan.recordId, record.modelId, 'download', plan.files.map((f) => f.path), (signal) =>
    installModel(plan, d, { signal, onProgress: (p) => useModelsStore.getState().applyProgress(p) }),
  );
}

export function cancelInstall(): void {
  controller?.abort();
}

export async function importPicked(target: InstallTarget, picked: PickedFile[], name: string): Promise<void> {
  const d = await deps();
  await run(`${target.engine}:${target.id}:${target.dtype}`, name, 'import', [], (signal) =>
    importFromFiles(target, picked, d, { signal, onProgress: (p) => useModelsStore.getState().applyProgress(p) }),
  );
}

export async function removeModel(recordId: string): Promise<void> {
  try {
    await deleteModel(recordId, await deps());
  } catch (e) {
    fail(e, recordId);
  }
  await refreshModels();
}

export async function clearAllModels(): Promise<void> {
  try {
    await clearAll(await deps());
  } catch (e) {
    fail(e);
  }
  await refreshModels();
}

export async function verifyModel(recordId: string): Promise<void> {
  try {
    await verifyInstalled(recordId, await deps(), { deep: true });
    useModelsStore.getState().setNotice(null);
  } catch (e) {
    fail(e, recordId);
  }
  await refreshModels();
}
