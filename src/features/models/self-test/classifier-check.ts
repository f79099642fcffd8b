/**
 * Classifier check: when a reward classifier is chosen, load it on each
 * device (a fresh engine, so its own worker), score the fixed text pairs and
 * unload. Scores are P(positive label) as the reward scorer reads them; the
 * two devices must agree within the score tolerance.
 */
import type { CatalogModel } from '../../../domain/catalog/schema';
import type { LoadProgress, LoadResult, ModelEngine, ModelSpec } from '../../../protocol/engine';
import { AbortError, isAbortError, serializeError, throwIfAborted, toMedfactError, type SerializedError } from '../../../protocol/errors';
import { scoreBatch } from '../../../protocol/score-batch';
import type { DevicePlan, SelfTestDevice } from './plan';
import type { SelfTestClassifyCase } from './prompts';

export interface ClassifyScoreRecord {
  caseId: string;
  /** P(positive label), 0..1. */
  score: number;
  /** Per-label probabilities as the engine reports them. */
  raw: Record<string, number>;
  ms: number;
}

export interface ClassifierDeviceRun {
  device: SelfTestDevice;
  status: 'ok' | 'failed' | 'skipped';
  dtype?: ModelSpec['dtype'];
  load?: LoadResult;
  ranOnRequestedDevice?: boolean;
  scores: ClassifyScoreRecord[];
  error?: SerializedError;
}

export interface ClassifierSelection {
  entry: Pick<CatalogModel, 'id' | 'engine' | 'positiveLabel'>;
  plan: readonly DevicePlan[];
  cases: readonly SelfTestClassifyCase[];
}

export interface ClassifierDeviceOptions {
  /** Called only when the device is planned: a fresh engine (its own worker). */
  createEngine: () => ModelEngine & { dispose?: () => void };
  positiveLabel?: string;
  cases: readonly SelfTestClassifyCase[];
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
}

export async function runClassifierDevice(plan: DevicePlan, options: ClassifierDeviceOptions): Promise<ClassifierDeviceRun> {
  if ('skip' in plan) return { device: plan.device, status: 'skipped', scores: [], error: plan.skip };
  const { device, spec } = plan;
  const { signal } = options;
  const engine = options.createEngine();
  const run: ClassifierDeviceRun = { device, status: 'failed', dtype: spec.dtype, scores: [] };
  const call = signal ? { signal } : {};
  try {
    const load = await engine.load(spec, { ...call, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
    run.load = load;
    run.ranOnRequestedDevice = load.device === spec.device;
    throwIfAborted(signal);
    // All cases in one batch: one round trip to the device's worker, the same scores as one by one.
    const results = await scoreBatch(
      engine,
      options.cases.map((c) => ({
        kind: 'classify' as const,
        text: c.text,
        ...(c.textPair !== undefined ? { textPair: c.textPair } : {}),
        ...(options.positiveLabel ? { positiveLabel: options.positiveLabel } : {}),
      })),
      call,
    );
    options.cases.forEach((c, i) => {
      const r = results[i];
      if (r) run.scores.push({ caseId: c.id, score: r.score, raw: r.raw, ms: r.ms });
    });
    await engine.unload(call);
    run.status = 'ok';
  } catch (error) {
    if (isAbortError(error) || signal?.aborted) throw new AbortError();
    run.error = serializeError(toMedfactError(error));
  } finally {
    engine.dispose?.();
  }
  return run;
}
