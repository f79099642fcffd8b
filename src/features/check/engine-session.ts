/**
 * The check feature's side of the model session: the runner that calls the
 * pure core pipeline with the models the session has loaded. The session
 * store (src/stores/model-session-store.ts) says which roles are ready; the
 * engines are kept beside it (src/stores/session-engines.ts);
 * loading and choosing models is the app shell's job, so the checker never
 * loads or downloads anything itself.
 *
 * The check runs on the main thread; each engine call is posted to its
 * worker, so the page stays responsive while the model works.
 */
import { sessionEngine } from '../../stores/session-engines';
import type { ModelEngine } from '../../protocol/engine';
import { MedfactError } from '../../protocol/errors';
import { useModelSession } from '../../stores/model-session-store';
import { check, engineScorer } from './check-contract';
import type { CheckRunner } from './check-store';
import { libraryEnabled } from '../../domain/library/library-prefs';

/** A loaded model as the runner uses it. */
export interface SessionModel {
  engine: ModelEngine;
  /** Catalog id, stored with every result. */
  id: string;
  /** Context window in tokens; sets the chunk size for long texts. */
  contextTokens?: number;
}

export interface RewardModel extends SessionModel {
  /** A generative judge (yes/no) or a sequence classifier. */
  mode: 'judge' | 'classify';
}

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

/** The runner for the session's ready models, or a typed error saying what to do. */
export function currentRunner(): CheckRunner {
  const session = useModelSession.getState();
  const verifierEngine = sessionEngine('verifier');
  if (!verifierEngine || !session.verifier.modelId) {
    throw new MedfactError('MODEL_NOT_LOADED', 'No verifier model is loaded. Install or load one on the Models screen, then check again.');
  }
  const verifier: SessionModel = {
    engine: verifierEngine,
    id: session.verifier.modelId,
    ...(session.verifier.contextTokens !== null ? { contextTokens: session.verifier.contextTokens } : {}),
  };
  const rewardEngine = sessionEngine('reward');
  const reward: RewardModel | null =
    rewardEngine && session.reward.modelId ? { engine: rewardEngine, id: session.reward.modelId, mode: session.reward.mode ?? 'judge' } : null;
  return createCheckRunner(verifier, reward);
}
