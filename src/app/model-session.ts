/**
 * The app's model session service: loads installed models (or models on
 * allowed inference servers) for the checker's roles and keeps the session
 * store (src/stores/model-session-store.ts) in step. It lives in the app
 * layer because it joins the Models screen's install records with the
 * checker, two features that never import each other. Screens get
 * `selectModel` as a prop; the store holds data only.
 *
 * Each role's worker is a reloading engine (src/client/reloading-engine.ts),
 * which keeps the loaded model and reloads it by itself after a crash or a
 * lost device; this service only mirrors those events into the store. The
 * user's choices and added models persist through the settings repository.
 *
 * Loading always uses the install record's own source and dtype, so the
 * engine reads exactly the cache entries the installer wrote.
 */
import { findEntry } from '../domain/catalog/catalog';
import { toModelSpec } from '../domain/catalog/model-spec';
import type { CatalogModel } from '../domain/catalog/schema';
import { createEngineClient } from '../client/engine-client';
import { createEngineWorker } from '../client/engine-worker-factory';
import { probeCapabilities } from '../client/probe-capabilities';
import { createReloadingEngine, type ReloadEvent, type ReloadingEngine } from '../client/reloading-engine';
import { attachSessionModel, detachSessionModel, type AttachedModel } from '../stores/session-engines';
import { useModelsStore } from '../features/models/models-store';
import type { ModelSpec } from '../protocol/engine';
import { isAbortError, MedfactError, serializeError, toMedfactError } from '../protocol/errors';
import type { ModelInstallRecord } from '../storage/models-repo';
import { settingsRepo, type ModelChoiceSetting, type SettingsRepo } from '../storage/settings-repo';
import { useAppStore } from '../stores/app-store';
import { currentCatalog, setCustomModels, useCustomModels } from '../stores/catalog-store';
import { emptyRole, patchRole, resetModelSession, setChoices, useModelSession, type CheckRole, type ModelChoice, type SessionRole } from '../stores/model-session-store';
import { linkEmbedder } from './embedder-link';
import { endpointChoices, isEndpointChoice, loadEndpointModel, resolveEndpointChoice } from './endpoint-session';

/** The checker's roles (its pickers and the session lines). */
export type Role = CheckRole;
/** Every role the session loads: the embedder (retrieval vectors, References screen) too. */
type AnyRole = SessionRole;
const ROLES: readonly AnyRole[] = ['verifier', 'reward', 'embedder'];

function entryFor(record: ModelInstallRecord, role: AnyRole): CatalogModel | undefined {
  const catalog = currentCatalog().filter((e) => e.engine === record.engine);
  return findEntry(catalog, record.modelId, role);
}

function labelOf(entry: CatalogModel, record: ModelInstallRecord): string {
  const locale = useAppStore.getState().config.locale;
  const name = locale === 'en' ? entry.label.en : entry.label.zh;
  return `${name} · ${record.dtype}`;
}

/** Installed models that can fill a role, as choices for the checker's pickers. */
export function choicesFrom(records: readonly ModelInstallRecord[]): ModelChoice[] {
  const out: ModelChoice[] = [];
  for (const record of records) {
    if (record.state !== 'installed') continue;
    for (const role of ROLES) {
      const entry = entryFor(record, role);
      if (entry) out.push({ id: record.id, label: labelOf(entry, record), role, modelId: record.modelId });
    }
  }
  return out;
}

// ---- preferences (settings repository) ----

let repo: SettingsRepo = settingsRepo;
let saved: ModelChoiceSetting = {};

function reportStorage(error: unknown): void {
  useAppStore.getState().setStorageError(toMedfactError(error).message);
}

function saveChoice(role: AnyRole, choiceId: string | null): void {
  saved = { ...saved, [role]: choiceId };
  repo.set('modelChoice', saved).catch(reportStorage);
}

// ---- engines ----

const engines: Partial<Record<AnyRole, ReloadingEngine>> = {};
const loading: Partial<Record<AnyRole, AbortController>> = {};
/** What each ready role was attached with, and which role's worker it runs in (a judge may share the verifier's). */
const attached: Partial<Record<AnyRole, Omit<AttachedModel, 'engine'> & { owner: AnyRole }>> = {};

function detach(role: AnyRole): void {
  detachSessionModel(role);
  delete attached[role];
}

/** Mirrors a worker's loss and automatic reload into every role that runs in it. */
function onReload(owner: AnyRole, event: ReloadEvent): void {
  for (const role of ROLES) {
    const info = attached[role];
    const mine = info ? info.owner === owner : role === owner && useModelSession.getState()[role].state !== 'none';
    if (!mine) continue;
    const autoReloads = engines[owner]?.autoReloads ?? 0;
    if (event.type === 'lost') {
      detachSessionModel(role);
      patchRole(role, { state: event.reloading ? 'loading' : 'error', progress: 0, error: serializeError(event.error), autoReloads });
    } else if (event.type === 'reloaded') {
      const engine = engines[owner];
      if (info && engine) attachSessionModel(role, { ...info, engine });
      patchRole(role, { autoReloads });
    } else {
      patchRole(role, { state: 'error', error: serializeError(event.error), autoReloads });
    }
  }
}

function engineFor(role: AnyRole): ReloadingEngine {
  let engine = engines[role];
  if (!engine) {
    engine = createReloadingEngine(createEngineClient({ createWorker: createEngineWorker }));
    engine.onReload((event) => onReload(role, event));
    engines[role] = engine;
  }
  return engine;
}

async function specFor(record: ModelInstallRecord, entry: CatalogModel): Promise<ModelSpec> {
  const caps = await probeCapabilities();
  const spec = toModelSpec(entry, caps, record.source);
  // Load exactly what was installed: the cache keys depend on source and dtype.
  return { ...spec, dtype: record.dtype, source: { ...record.source }, cacheOnly: true };
}

function fail(role: AnyRole, choiceId: string, error: MedfactError): void {
  patchRole(role, { ...emptyRole(), choiceId, state: 'error', error: serializeError(error) });
}

/** Loads a model into the role (an install record id or an inference-server choice); null empties the role. */
/** The user's choice of a model for a role (the checker's pickers): loads it and remembers it for the next start. */
export async function selectModel(role: AnyRole, choiceId: string | null): Promise<void> {
  saveChoice(role, choiceId);
  return switchModel(role, choiceId);
}

/**
 * Loads (or, with null, empties) a role without touching the saved choice:
 * what the session does by itself (a start-up pick, a model that was
 * removed) is never stored as if the user had chosen it, so a transient
 * "none" cannot keep the next start from loading the preferred model.
 */
async function switchModel(role: AnyRole, choiceId: string | null): Promise<void> {
  loading[role]?.abort();
  detach(role);
  if (!choiceId) {
    patchRole(role, emptyRole());
    // Free the memory the model held; the worker stays for the next load.
    const engine = engines[role];
    if (engine?.model) void engine.unload().catch(() => undefined);
    return;
  }
  if (isEndpointChoice(choiceId) && role !== 'embedder') return selectEndpoint(role, choiceId);
  const record = useModelsStore.getState().records.find((r) => r.id === choiceId && r.state === 'installed');
  const entry = record ? entryFor(record, role) : undefined;
  if (!record || !entry) {
    fail(role, choiceId, new MedfactError('MODEL_NOT_LOADED', 'This model is not installed. Install it on the Models screen first.'));
    return;
  }
  const controller = new AbortController();
  loading[role] = controller;
  const label = labelOf(entry, record);
  patchRole(role, { ...emptyRole(), choiceId, modelId: record.modelId, label, state: 'loading' });
  try {
    // A generative judge on the verifier's own model shares its worker.
    const verifier = useModelSession.getState().verifier;
    const owner: AnyRole = role === 'reward' && entry.task === 'text-generation' && verifier.choiceId === choiceId && verifier.state === 'ready' ? 'verifier' : role;
    const engine = engineFor(owner);
    const spec = await specFor(record, entry);
    const result =
      owner !== role && engine.model
        ? engine.model
        : await engine.load(spec, { signal: controller.signal, onProgress: (p) => patchRole(role, { progress: p.progress }) });
    if (controller.signal.aborted) return;
    const info = {
      id: record.modelId,
      choiceId,
      label,
      contextTokens: result.contextTokens,
      device: `${result.device} · ${result.dtype}`,
      ...(result.dims ? { dims: result.dims } : {}),
      ...(role === 'reward' ? { mode: entry.task === 'text-classification' ? ('classify' as const) : ('judge' as const) } : {}),
    };
    attached[role] = { ...info, owner };
    attachSessionModel(role, { ...info, engine });
    patchRole(role, { autoReloads: engine.autoReloads });
  } catch (error) {
    if (isAbortError(error) && controller.signal.aborted) return;
    patchRole(role, { state: 'error', error: serializeError(toMedfactError(error)) });
  } finally {
    if (loading[role] === controller) delete loading[role];
  }
}

/** A model on a configured inference server: the text will leave the device for that host (the checker says so). */
async function selectEndpoint(role: AnyRole, choiceId: string): Promise<void> {
  const resolved = resolveEndpointChoice(useAppStore.getState().config.inferenceEndpoints ?? [], choiceId);
  if (!resolved) {
    fail(role, choiceId, new MedfactError('BAD_CONFIG', 'This inference server is no longer in the deployment configuration.'));
    return;
  }
  const controller = new AbortController();
  loading[role] = controller;
  // Results record the choice id (`openai:<endpoint>/<model>`), so exports and the privacy line name the server.
  patchRole(role, { ...emptyRole(), choiceId, modelId: choiceId, label: `${resolved.model} · ${resolved.endpoint.label}`, state: 'loading' });
  try {
    const loaded = await loadEndpointModel(resolved.endpoint, resolved.model, controller.signal);
    if (controller.signal.aborted) return;
    attachSessionModel(role, {
      engine: loaded.engine,
      id: choiceId,
      label: `${resolved.model} · ${resolved.endpoint.label}`,
      contextTokens: loaded.contextTokens,
      remote: loaded.remote,
      device: `${resolved.endpoint.label} · ${loaded.remote.host}`,
      ...(role === 'reward' ? { mode: 'judge' as const } : {}),
    });
  } catch (error) {
    if (isAbortError(error) && controller.signal.aborted) return;
    patchRole(role, { state: 'error', error: serializeError(toMedfactError(error)) });
  } finally {
    if (loading[role] === controller) delete loading[role];
  }
}

/** The model to load for a role when nothing is chosen yet: the user's last choice, the deployment default, else the first installed. */
function preferred(role: AnyRole, choices: ModelChoice[], records: readonly ModelInstallRecord[]): string | null {
  const forRole = choices.filter((c) => c.role === role);
  if (forRole.length === 0) return null;
  const last = saved[role];
  if (last === null) return null; // the user chose "none"
  if (last && forRole.some((c) => c.id === last)) return last;
  // An installed embedder is used by itself: it only adds retrieval, and the text never leaves the device.
  if (role === 'embedder') return forRole[0]?.id ?? null;
  const config = useAppStore.getState().config;
  const wanted = role === 'verifier' ? config.defaultVerifier : config.defaultReward;
  if (wanted) {
    const match = forRole.find((c) => records.find((r) => r.id === c.id)?.modelId === wanted);
    if (match) return match.id;
  }
  // A reward model is chosen by itself only when it is a dedicated one (a classifier), so a judge does not double the cost unasked.
  if (role === 'reward') {
    const classifier = forRole.find((c) => records.find((r) => r.id === c.id)?.task === 'text-classification');
    return classifier?.id ?? null;
  }
  // Never send text to a server unasked: only a saved choice selects an inference server.
  return forRole.find((c) => !isEndpointChoice(c.id))?.id ?? null;
}

/** Restores the user's model choices and added models from the settings repository, and saves added models from now on. */
async function restorePreferences(): Promise<void> {
  try {
    const [choice, custom, source] = await Promise.all([repo.get('modelChoice'), repo.get('customModels'), repo.get('modelSource')]);
    saved = choice ?? {};
    if (custom) setCustomModels(custom as CatalogModel[]);
    if (source) useModelsStore.getState().setSource(source);
  } catch (error) {
    reportStorage(error);
  }
  useCustomModels.subscribe((state, previous) => {
    if (state.custom !== previous.custom) repo.set('customModels', state.custom).catch(reportStorage);
  });
}

let started = false;

/** Keeps the checker's choices in step with installed models and loads the preferred ones. Called once at start-up. */
export async function startModelSession(settings: SettingsRepo = settingsRepo): Promise<void> {
  if (started) return;
  started = true;
  repo = settings;
  await restorePreferences();
  const sync = (records: readonly ModelInstallRecord[]) => {
    const choices = [...choicesFrom(records), ...endpointChoices(useAppStore.getState().config.inferenceEndpoints ?? [])];
    setChoices(choices);
    for (const role of ROLES) {
      const status = useModelSession.getState()[role];
      const stillThere = status.choiceId ? choices.some((c) => c.id === status.choiceId && c.role === role) : false;
      if (status.choiceId && !stillThere) void switchModel(role, null);
      if (status.state === 'none' || (status.choiceId && !stillThere)) {
        const next = preferred(role, choices, records);
        if (next) void switchModel(role, next);
      }
    }
  };
  let last: readonly ModelInstallRecord[] | null = null;
  const follow = (records: readonly ModelInstallRecord[]) => {
    if (records === last) return;
    last = records;
    sync(records);
  };
  useModelsStore.subscribe((state) => follow(state.records));
  if (useModelsStore.getState().loaded) follow(useModelsStore.getState().records);
  useAppStore.subscribe((state, prev) => {
    if (state.config !== prev.config && last) sync(last);
  });
  useCustomModels.subscribe((state, prev) => {
    if (state.custom !== prev.custom && last) sync(last);
  });
  linkEmbedder();
}

/** For tests and sign-out style resets: disposes the workers and empties the session. */
export function disposeModelSession(): void {
  for (const role of ROLES) {
    loading[role]?.abort();
    engines[role]?.dispose();
    delete engines[role];
    detach(role);
  }
  saved = {};
  resetModelSession();
  started = false;
}
