/**
 * The app's model session: owns the engine workers for the two roles
 * (verifier, reward), loads installed models into them, and attaches them to
 * the checker. It lives in the app layer because it joins two features (the
 * Models screen's install records and the checker's engine session), which
 * never import each other.
 *
 * Loading always uses the install record's own source and dtype, so the
 * engine reads exactly the cache entries the installer wrote.
 */
import { create } from 'zustand';
import { findEntry, mergeCatalog } from '../domain/catalog/catalog';
import { toModelSpec } from '../domain/catalog/model-spec';
import type { CatalogModel } from '../domain/catalog/schema';
import { createEngineClient, type EngineClient } from '../client/engine-client';
import { createEngineWorker } from '../client/engine-worker-factory';
import { probeCapabilities } from '../client/probe-capabilities';
import { useEngineSession, type ModelChoice } from '../features/check/engine-session';
import { useModelsStore } from '../features/models/models-store';
import type { ModelEngine, ModelSpec } from '../protocol/engine';
import { isAbortError, MedfactError, serializeError, toMedfactError, type SerializedError } from '../protocol/errors';
import type { ModelInstallRecord } from '../storage/models-repo';
import { useAppStore } from '../stores/app-store';
import { endpointChoices, isEndpointChoice, loadEndpointModel, resolveEndpointChoice } from './endpoint-session';

export type Role = 'verifier' | 'reward';

export interface RoleStatus {
  /** Install record id of the chosen model, or null. */
  recordId: string | null;
  modelId: string | null;
  /** The catalog label (deployment or built-in), shown instead of the id. */
  label: string | null;
  state: 'none' | 'loading' | 'ready' | 'error';
  progress: number;
  device: string | null;
  error: SerializedError | null;
}

interface ModelSessionState {
  verifier: RoleStatus;
  reward: RoleStatus;
  setRole: (role: Role, patch: Partial<RoleStatus>) => void;
  reset: () => void;
}

const emptyRole = (): RoleStatus => ({ recordId: null, modelId: null, label: null, state: 'none', progress: 0, device: null, error: null });

export const useModelSession = create<ModelSessionState>()((set) => ({
  verifier: emptyRole(),
  reward: emptyRole(),
  setRole: (role, patch) => set((s) => ({ [role]: { ...s[role], ...patch } }) as Pick<ModelSessionState, Role>),
  reset: () => set({ verifier: emptyRole(), reward: emptyRole() }),
}));

const CHOICE_KEY = 'medfact-lens.model-choice';

function readChoices(): Partial<Record<Role, string | null>> {
  try {
    const raw = localStorage.getItem(CHOICE_KEY);
    return raw ? (JSON.parse(raw) as Partial<Record<Role, string | null>>) : {};
  } catch {
    return {};
  }
}

function saveChoice(role: Role, recordId: string | null): void {
  try {
    localStorage.setItem(CHOICE_KEY, JSON.stringify({ ...readChoices(), [role]: recordId }));
  } catch {
    // private mode: the choice lasts for this session
  }
}

/** Every catalog entry the app knows: built-in, deployment config, user-added. */
export function fullCatalog(): CatalogModel[] {
  return mergeCatalog(useAppStore.getState().config.catalog as CatalogModel[], useModelsStore.getState().customEntries);
}

function entryFor(record: ModelInstallRecord, role: Role): CatalogModel | undefined {
  const catalog = fullCatalog().filter((e) => e.engine === record.engine);
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
    for (const role of ['verifier', 'reward'] as const) {
      const entry = entryFor(record, role);
      if (entry) out.push({ id: record.id, label: labelOf(entry, record), role, modelId: record.modelId });
    }
  }
  return out;
}

const clients: Partial<Record<Role, EngineClient>> = {};
const loading: Partial<Record<Role, AbortController>> = {};
/** How many automatic reloads after a lost engine each role has used for its current model. */
const autoReloads: Record<Role, number> = { verifier: 0, reward: 0 };
const reloadsFor: Partial<Record<Role, string>> = {};

function clientFor(role: Role): EngineClient {
  let client = clients[role];
  if (!client) {
    client = createEngineClient({ createWorker: createEngineWorker });
    client.onEvent((event) => {
      if (event.type !== 'engine-lost') return;
      detach(role);
      const status = useModelSession.getState()[role];
      useModelSession.getState().setRole(role, { state: 'error', error: serializeError(event.error) });
      // A crashed or hung worker: reload the model once by itself, as after a lost device.
      if (status.recordId) reloadOnce(role, status.recordId)();
    });
    clients[role] = client;
  }
  return client;
}

function detach(role: Role): void {
  if (role === 'verifier') useEngineSession.getState().attachVerifier(null);
  else useEngineSession.getState().attachReward(null);
}

/**
 * The engine as the checker sees it: a lost GPU device or an out-of-memory
 * error during a check calls `reload` (the error still reaches the check,
 * whose message says what happened); the caller decides how often to reload.
 */
export function recovering(engine: ModelEngine, reload: (error: MedfactError) => void): ModelEngine {
  const recover = (error: unknown): never => {
    const typed = toMedfactError(error);
    if (typed.code === 'DEVICE_LOST' || typed.code === 'OUT_OF_MEMORY') reload(typed);
    throw typed;
  };
  const { scoreBatch } = engine;
  return {
    load: (spec, options) => engine.load(spec, options),
    unload: (options) => engine.unload(options),
    generate: (params, options) => engine.generate(params, options).catch(recover),
    score: (params, options) => engine.score(params, options).catch(recover),
    ...(scoreBatch ? { scoreBatch: (items, options) => scoreBatch.call(engine, items, options).catch(recover) } : {}),
  };
}

/** Reload the model once by itself after a lost device; a second loss keeps the error and its remedy (a smaller model). */
function reloadOnce(role: Role, recordId: string): () => void {
  return () => {
    if (autoReloads[role] >= 1) return;
    autoReloads[role] += 1;
    void select(role, recordId);
  };
}

async function specFor(record: ModelInstallRecord, entry: CatalogModel): Promise<ModelSpec> {
  const caps = await probeCapabilities();
  const spec = toModelSpec(entry, caps, record.source);
  // Load exactly what was installed: the cache keys depend on source and dtype.
  return { ...spec, dtype: record.dtype, source: { ...record.source }, cacheOnly: true };
}

/** Loads an installed model into the role's worker and attaches it to the checker; null detaches. */
export async function select(role: Role, recordId: string | null): Promise<void> {
  loading[role]?.abort();
  const store = useModelSession.getState();
  saveChoice(role, recordId);
  if (!recordId) {
    detach(role);
    store.setRole(role, emptyRole());
    // Free the memory the model held; the worker stays for the next load.
    const client = clients[role];
    if (client && client.state === 'ready') void client.unload().catch(() => undefined);
    return;
  }
  if (isEndpointChoice(recordId)) return selectEndpoint(role, recordId);
  const record = useModelsStore.getState().records.find((r) => r.id === recordId && r.state === 'installed');
  const entry = record ? entryFor(record, role) : undefined;
  if (!record || !entry) {
    store.setRole(role, {
      recordId,
      state: 'error',
      error: serializeError(new MedfactError('MODEL_NOT_LOADED', 'This model is not installed. Install it on the Models screen first.')),
    });
    return;
  }
  if (reloadsFor[role] !== recordId) {
    reloadsFor[role] = recordId;
    autoReloads[role] = 0;
  }
  const controller = new AbortController();
  loading[role] = controller;
  detach(role);
  const label = labelOf(entry, record);
  store.setRole(role, { recordId, modelId: record.modelId, label, state: 'loading', progress: 0, error: null, device: null });
  try {
    // A generative judge on the verifier's own model shares its worker.
    const verifier = useModelSession.getState().verifier;
    const shared = role === 'reward' && entry.task === 'text-generation' && verifier.recordId === recordId && verifier.state === 'ready';
    const client = shared ? clientFor('verifier') : clientFor(role);
    const spec = await specFor(record, entry);
    const result =
      shared && client.model
        ? client.model
        : await client.load(spec, {
            signal: controller.signal,
            onProgress: (p) => useModelSession.getState().setRole(role, { progress: p.progress }),
          });
    const engine = recovering(client, reloadOnce(role, recordId));
    if (role === 'verifier') {
      useEngineSession.getState().attachVerifier({ engine, id: record.modelId, recordId, label, contextTokens: result.contextTokens });
    } else {
      useEngineSession.getState().attachReward({ engine, id: record.modelId, recordId, label, mode: entry.task === 'text-classification' ? 'classify' : 'judge' });
    }
    useModelSession.getState().setRole(role, { state: 'ready', progress: 1, device: `${result.device} · ${result.dtype}` });
  } catch (error) {
    if (isAbortError(error) && controller.signal.aborted) return;
    useModelSession.getState().setRole(role, { state: 'error', error: serializeError(toMedfactError(error)) });
  } finally {
    if (loading[role] === controller) delete loading[role];
  }
}

/** A model on a configured inference server: the text will leave the device for that host (the checker says so). */
async function selectEndpoint(role: Role, choiceId: string): Promise<void> {
  const store = useModelSession.getState();
  const resolved = resolveEndpointChoice(useAppStore.getState().config.inferenceEndpoints ?? [], choiceId);
  if (!resolved) {
    detach(role);
    store.setRole(role, { recordId: choiceId, modelId: null, state: 'error', error: serializeError(new MedfactError('BAD_CONFIG', 'This inference server is no longer in the deployment configuration.')) });
    return;
  }
  const controller = new AbortController();
  loading[role] = controller;
  detach(role);
  store.setRole(role, { recordId: choiceId, modelId: resolved.model, state: 'loading', progress: 0, error: null, device: null });
  try {
    const loaded = await loadEndpointModel(resolved.endpoint, resolved.model, controller.signal);
    if (controller.signal.aborted) return;
    if (role === 'verifier') {
      useEngineSession.getState().attachVerifier({ engine: loaded.engine, id: choiceId, contextTokens: loaded.contextTokens, remote: loaded.remote });
    } else {
      useEngineSession.getState().attachReward({ engine: loaded.engine, id: choiceId, mode: 'judge', remote: loaded.remote });
    }
    useModelSession.getState().setRole(role, { state: 'ready', progress: 1, device: `${resolved.endpoint.label} · ${loaded.remote.host}` });
  } catch (error) {
    if (isAbortError(error) && controller.signal.aborted) return;
    useModelSession.getState().setRole(role, { state: 'error', error: serializeError(toMedfactError(error)) });
  } finally {
    if (loading[role] === controller) delete loading[role];
  }
}

/** The model to load for a role when nothing is chosen yet: the user's last choice, the deployment default, else the first installed. */
function preferred(role: Role, choices: ModelChoice[], records: readonly ModelInstallRecord[]): string | null {
  const forRole = choices.filter((c) => c.role === role);
  if (forRole.length === 0) return null;
  const saved = readChoices()[role];
  if (saved === null) return null; // the user chose "none"
  if (saved && forRole.some((c) => c.id === saved)) return saved;
  const config = useAppStore.getState().config;
  const wanted = role === 'verifier' ? config.defaultVerifier : config.defaultReward;
  if (wanted) {
    const match = forRole.find((c) => records.find((r) => r.id === c.id)?.modelId === wanted);
    if (match) return match.id;
  }
  // A reward model is chosen by itself only when it is a dedicated one (a classifier), so a judge does not double the cost unasked.
  if (role === 'reward') {
    const classifier = forRole.find((c) => {
      const record = records.find((r) => r.id === c.id);
      return record?.task === 'text-classification';
    });
    return classifier?.id ?? null;
  }
  // Never send text to a server unasked: only a saved choice selects an inference server.
  return forRole.find((c) => !isEndpointChoice(c.id))?.id ?? null;
}

let started = false;

/** Keeps the checker's choices in step with installed models and loads the preferred ones. Called once at start-up. */
export function startModelSession(): void {
  if (started) return;
  started = true;
  const sync = (records: readonly ModelInstallRecord[]) => {
    const choices = [...choicesFrom(records), ...endpointChoices(useAppStore.getState().config.inferenceEndpoints ?? [])];
    useEngineSession.getState().setChoices(choices, select);
    for (const role of ['verifier', 'reward'] as const) {
      const status = useModelSession.getState()[role];
      const stillInstalled = status.recordId ? choices.some((c) => c.id === status.recordId && c.role === role) : false;
      if (status.recordId && !stillInstalled) void select(role, null);
      if (status.state === 'none' || (status.recordId && !stillInstalled)) {
        const next = preferred(role, choices, records);
        if (next) void select(role, next);
      }
    }
  };
  let last: readonly ModelInstallRecord[] | null = null;
  useModelsStore.subscribe((state) => {
    if (state.records === last) return;
    last = state.records;
    sync(state.records);
  });
  useAppStore.subscribe((state, prev) => {
    if (state.config !== prev.config && last) sync(last);
  });
}

/** For tests and sign-out style resets: disposes the workers. */
export function disposeModelSession(): void {
  for (const role of ['verifier', 'reward'] as const) {
    loading[role]?.abort();
    clients[role]?.dispose();
    delete clients[role];
  }
  useModelSession.getState().reset();
  started = false;
}

