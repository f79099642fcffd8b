/**
 * The engines of the model session, by role. The session store
 * (src/stores/model-session-store.ts) holds what the UI shows; the engine
 * objects stay here, out of store state. Whoever loads a model attaches it
 * (the app shell's model session; tests attach in-process engines); the
 * checker asks for the engine of a ready role when it runs.
 */
import type { ModelEngine } from '../protocol/engine';
import { emptyRole, patchRole, useModelSession, type RoleState, type SessionRole } from './model-session-store';

const engines: Partial<Record<SessionRole, ModelEngine>> = {};

export interface AttachedModel {
  engine: ModelEngine;
  /** Catalog or server model id, stored with every result. */
  id: string;
  /** The picker value (install record id); defaults to `id`. */
  choiceId?: string;
  label?: string;
  contextTokens?: number;
  mode?: 'judge' | 'classify';
  remote?: { label: string; host: string };
  device?: string;
  /** Embedders: the vector length. */
  dims?: number;
}

/** Makes a loaded model the role's engine and marks the role ready. */
export function attachSessionModel(role: SessionRole, model: AttachedModel): void {
  engines[role] = model.engine;
  const patch: Partial<RoleState> = {
    choiceId: model.choiceId ?? model.id,
    modelId: model.id,
    label: model.label ?? null,
    state: 'ready',
    progress: 1,
    error: null,
    contextTokens: model.contextTokens ?? null,
    mode: model.mode ?? (role === 'reward' ? 'judge' : null),
    remote: model.remote ?? null,
  };
  if (model.device !== undefined) patch.device = model.device;
  if (model.dims !== undefined) patch.dims = model.dims;
  patchRole(role, patch);
}

/** Forgets the role's engine (the store's state is the caller's to set). */
export function detachSessionModel(role: SessionRole): void {
  delete engines[role];
}

/** The role's engine while the role is ready; null otherwise. */
export function sessionEngine(role: SessionRole): ModelEngine | null {
  const engine = engines[role];
  return engine && useModelSession.getState()[role].state === 'ready' ? engine : null;
}

/** For tests: forgets every engine and empties the roles. */
export function resetSessionEngines(): void {
  for (const role of Object.keys(engines) as SessionRole[]) delete engines[role];
  useModelSession.setState({ verifier: emptyRole(), reward: emptyRole(), embedder: emptyRole(), choices: [] });
}
