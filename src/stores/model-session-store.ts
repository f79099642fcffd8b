/**
 * The model session (issue 14): one store for every role's engine state, the
 * verifier, the reward model, the embedder (retrieval) and models on
 * configured inference servers alike. Plain data only: the engines
 * themselves are kept beside it, out of state (./session-engines.ts), and
 * selecting a model is the app shell's service (src/app/model-session.ts),
 * handed to screens as a prop. Screens read what they need with selectors.
 */
import { create } from 'zustand';
import type { SerializedError } from '../protocol/errors';

export const SESSION_ROLES = ['verifier', 'reward', 'embedder'] as const;
export type SessionRole = (typeof SESSION_ROLES)[number];
/** The roles the checker's pickers fill. */
export type CheckRole = Exclude<SessionRole, 'embedder'>;

export interface RoleState {
  /** The chosen model: install record id, or `openai:<endpoint>/<model>` for an inference server; null when none. */
  choiceId: string | null;
  /** Catalog (or server) model id, stored with every result and shown in tooltips. */
  modelId: string | null;
  /** What the user sees (catalog label · dtype, or model · server). */
  label: string | null;
  state: 'none' | 'loading' | 'ready' | 'error';
  /** Load progress in 0..1. */
  progress: number;
  /** Where it runs, e.g. `wasm · q8` or the server's label and host. */
  device: string | null;
  error: SerializedError | null;
  /** Context window in tokens, once loaded. */
  contextTokens: number | null;
  /** Reward role: a generative judge (yes/no) or a sequence classifier. */
  mode: 'judge' | 'classify' | null;
  /** Set when the model runs on an inference server: the text leaves the device for this host. */
  remote: { label: string; host: string } | null;
  /** How many times the session client reloaded this model by itself after a lost engine or device. */
  autoReloads: number;
  /** Embedder role: the length of its vectors, once loaded. */
  dims: number | null;
}

/** A model the user can pick for a role (installed, or on an allowed inference server). */
export interface ModelChoice {
  /** Install record id, or the server choice id. */
  id: string;
  label: string;
  /** Catalog model id, for tooltips. */
  modelId?: string;
  role: SessionRole;
}

export type ModelSessionState = Record<SessionRole, RoleState> & {
  /** What the pickers offer; the app shell keeps it in step with installed models and the configuration. */
  choices: ModelChoice[];
};

export const emptyRole = (): RoleState => ({
  choiceId: null,
  modelId: null,
  label: null,
  state: 'none',
  progress: 0,
  device: null,
  error: null,
  contextTokens: null,
  mode: null,
  remote: null,
  autoReloads: 0,
  dims: null,
});

const initial = (): ModelSessionState => ({ verifier: emptyRole(), reward: emptyRole(), embedder: emptyRole(), choices: [] });

export const useModelSession = create<ModelSessionState>()(() => initial());

export function patchRole(role: SessionRole, patch: Partial<RoleState>): void {
  useModelSession.setState((s) => ({ [role]: { ...s[role], ...patch } }) as Partial<ModelSessionState>);
}

export function setChoices(choices: ModelChoice[]): void {
  useModelSession.setState({ choices });
}

export function resetModelSession(): void {
  useModelSession.setState(initial());
}

/** True when the role's model is loaded and usable. */
export const isReady = (role: RoleState): boolean => role.state === 'ready';
