/**
 * The check feature's piece of the app's engine session: which loaded
 * models the checker uses, and the runner that calls the pure core pipeline
 * with them. Engines are attached by whoever loads models (the models
 * screen's store or the app shell) through `useEngineSession.getState()`;
 * the checker never loads or downloads anything itself.
 *
 * The check runs on the main thread; each engine call is posted to its
 * worker, so the page stays responsive while the model works.
 */
import { create } from 'zustand';
import type { ModelEngine } from '../../protocol/engine';
import { MedfactError } from '../../protocol/errors';
import { check, engineScorer } from './check-contract';
import type { CheckRunner } from './check-store';
import { libraryEnabled } from '../../domain/library/library-prefs';

export interface SessionModel {
  engine: ModelEngine;
  /** Catalog id, stored with every result. */
  id: string;
  /** Install record id: the value the pickers select by. */
  recordId?: string;
  /** The label the user sees (ids only in tooltips and exports). */
  label?: string;
  /** Context window in tokens; sets the chunk size for long texts. */
  contextTokens?: number;
  /** Set when the model runs on an inference server: the text leaves the device for this host. */
  remote?: { label: string; host: string };
}

export interface RewardModel extends SessionModel {
  /** A generative judge (yes/no) or a sequence classifier. */
  mode: 'judge' | 'classify';
}

/** A model the user can pick in the checker's settings (loaded or installed). */
export interface ModelChoice {
  /** Install record id. */
  id: string;
  label: string;
  /** Catalog model id, for tooltips. */
  modelId?: string;
  role: 'verifier' | 'reward';
}

interface EngineSessionState {
  verifier: SessionModel | null;
  reward: RewardModel | null;
  /** Models the user may switch to; the loader fills this. */
  choices: ModelChoice[];
  /** Set by the loader: loads the chosen model into the role's engine and attaches it. */
  select: ((role: 'verifier' | 'reward', id: string | null) => Promise<void>) | null;
  attachVerifier: (model: SessionModel | null) => void;
  attachReward: (model: RewardModel | null) => void;
  setChoices: (choices: ModelChoice[], select: EngineSessionState['select']) => void;
  reset: () => void;
}

export const useEngineSession = create<EngineSessionState>()((set) => ({
  verifier: null,
  reward: null,
  choices: [],
  select: null,
  attachVerifier: (verifier) => set({ verifier }),
  attachReward: (reward) => set({ reward }),
  setChoices: (choices, select) => set({ choices, select }),
  reset: () => set({ verifier: null, reward: null, choices: [], select: null }),
}));

/**
 * Characters per chunk for a context window: Chinese runs about one token
 * per character; half the window is left for the prompt and the answer.
 */
export function contextCharsFor(contextTokens: number | undefined): number | undefined {
  if (!contextTokens || !Number.isFinite(contextTokens)) return undefined;
  return Math.max(200, Math.floor(contextTokens / 2) - 600);
}

/** The runner the check store calls, bound to the given models. */
export function createCheckRunner(verifier: SessionModel, reward: RewardModel | null): CheckRunner {
  const scorer = reward ? engineScorer(reward.engine, reward.mode, { id: reward.id }) : undefined;
  const contextChars = contextCharsFor(verifier.contextTokens);
  return async ({ text, options, signal, onPartial }) => {
    // With the library switched on, the verifier checks against retrieved passages (grounded prompt).
    const evidence = libraryEnabled() ? await (await import('../../domain/library/evidence-source')).libraryEvidenceSource() : undefined;
    return check(text, {
      verifier: verifier.engine,
      verifierId: verifier.id,
      ...(scorer ? { scorer } : {}),
      options: { ...options, ...(contextChars !== undefined && options.contextChars === undefined ? { contextChars } : {}) },
      signal,
      onPartial,
      ...(evidence ? { evidence } : {}),
    });
  };
}

/** The runner for the attached models, or a typed error saying what to do. */
export function currentRunner(): CheckRunner {
  const { verifier, reward } = useEngineSession.getState();
  if (!verifier) {
    throw new MedfactError('MODEL_NOT_LOADED', 'No verifier model is loaded. Install or load one on the Models screen, then check again.');
  }
  return createCheckRunner(verifier, reward);
}
