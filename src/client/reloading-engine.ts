/**
 * An engine that keeps its loaded model and reloads it by itself after a
 * loss, as web-llm's WebWorkerMLCEngine keeps the model record and the reload
 * in its proxy: a crashed or hung worker (the client's `engine-lost`), or a
 * lost GPU device / out-of-memory error during generate or score. The error
 * still reaches the caller (its message says what happened); the reload runs
 * at most `maxAutoReloads` times per loaded model, so a device that keeps
 * failing ends with the error and its remedy (a smaller model) instead of a
 * loop. Callers see a plain ModelEngine plus reload events for the UI.
 */
import type { LoadResult, ModelEngine, ModelSpec } from '../protocol/engine';
import { toMedfactError, type MedfactError } from '../protocol/errors';
import type { EngineClient } from './engine-client';

export type ReloadEvent =
  /** The model was lost; `reloading` says whether the engine is loading it again by itself. */
  | { type: 'lost'; error: MedfactError; reloading: boolean }
  | { type: 'reloaded'; result: LoadResult }
  | { type: 'reload-failed'; error: MedfactError };

export interface ReloadingEngine extends ModelEngine {
  /** The spec of the loaded (or loading) model; null after unload. */
  readonly spec: ModelSpec | null;
  /** The loaded model, while the client holds one. */
  readonly model: LoadResult | null;
  /** Automatic reloads used for the current model. */
  readonly autoReloads: number;
  onReload(listener: (event: ReloadEvent) => void): () => void;
  dispose(): void;
}

/** Errors after which the same model can work again once reloaded. */
const RELOADABLE = new Set<MedfactError['code']>(['DEVICE_LOST', 'OUT_OF_MEMORY']);

const sameModel = (a: ModelSpec | null, b: ModelSpec): boolean =>
  a !== null && a.id === b.id && a.engine === b.engine && a.dtype === b.dtype && a.device === b.device;

export function createReloadingEngine(client: EngineClient, options: { maxAutoReloads?: number } = {}): ReloadingEngine {
  const max = options.maxAutoReloads ?? 1;
  const listeners = new Set<(event: ReloadEvent) => void>();
  let spec: ModelSpec | null = null;
  let autoReloads = 0;
  let reloading = false;

  const emit = (event: ReloadEvent): void => {
    for (const listener of [...listeners]) listener(event);
  };

  function lost(error: MedfactError): void {
    if (reloading) return;
    const target = spec;
    const willReload = target !== null && autoReloads < max;
    emit({ type: 'lost', error, reloading: willReload });
    if (!willReload) return;
    autoReloads += 1;
    reloading = true;
    client.load(target).then(
      (result) => {
        reloading = false;
        if (spec === target) emit({ type: 'reloaded', result });
      },
      (reason: unknown) => {
        reloading = false;
        if (spec === target) emit({ type: 'reload-failed', error: toMedfactError(reason) });
      },
    );
  }

  const stopListening = client.onEvent((event) => {
    if (event.type === 'engine-lost') lost(event.error);
  });

  const recover = (error: unknown): never => {
    const typed = toMedfactError(error);
    if (RELOADABLE.has(typed.code)) lost(typed);
    throw typed;
  };

  return {
    async load(next, callOptions) {
      if (!sameModel(spec, next)) autoReloads = 0;
      spec = next;
      return client.load(next, callOptions);
    },
    async unload(callOptions) {
      spec = null;
      autoReloads = 0;
      await client.unload(callOptions);
    },
    generate: (params, callOptions) => client.generate(params, callOptions).catch(recover),
    score: (params, callOptions) => client.score(params, callOptions).catch(recover),
    scoreBatch: (items, callOptions) => client.scoreBatch(items, callOptions).catch(recover),
    embed: (params, callOptions) => client.embed(params, callOptions).catch(recover),
    get spec() {
      return spec;
    },
    get model() {
      return client.model;
    },
    get autoReloads() {
      return autoReloads;
    },
    onReload(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      spec = null;
      listeners.clear();
      stopListening();
      client.dispose();
    },
  };
}
