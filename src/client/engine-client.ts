/**
 * The model engine as the main thread sees it: a ModelEngine whose calls are
 * posted to a worker, plus the state the UI shows. A crashed or hung worker
 * is replaced by a fresh one, which holds no model: the state becomes
 * `crashed` and an event asks the user to load the model again.
 *
 * The calls themselves come from the engine's declaration
 * (createWorkerProxy over engineProtocol); only load and unload are wrapped
 * here, because they change the state.
 */
import type { LoadResult } from '../protocol/engine';
import type { ProxyOf } from '../protocol/declare-protocol';
import { engineProtocol, type EngineMethods } from '../protocol/engine-protocol';
import { toMedfactError, type MedfactError } from '../protocol/errors';
import type { WorkerLike } from '../protocol/messages';
import { createWorkerClient, type HangTimeouts, type WorkerHealth } from './worker-client';
import { createWorkerProxy } from './worker-proxy';

export type EngineState = 'idle' | 'loading' | 'ready' | 'crashed' | 'disposed';

export type EngineClientEvent =
  | { type: 'state'; state: EngineState }
  /** The worker crashed or hung and was replaced (or could not be); the loaded model is gone. */
  | { type: 'engine-lost'; error: MedfactError; restarted: boolean; message: string }
  | { type: 'protocol-error'; error: MedfactError };

export interface EngineClientOptions {
  /** In the app: `createEngineWorker` from ./engine-worker-factory. Tests pass their own. */
  createWorker: () => WorkerLike;
  heartbeatMs?: number;
  /** Per-method or overall hang timeouts; see ENGINE_HANG_TIMEOUTS for the defaults and why. */
  hangTimeoutMs?: number | HangTimeouts<EngineMethods>;
  /** Silence allowed to a new worker before its first message; see worker-client.ts. */
  startTimeoutMs?: number;
  maxConsecutiveLosses?: number;
}

/** Every engine method (scoreBatch included: the worker answers it for any engine), plus the state the UI shows. */
export interface EngineClient extends ProxyOf<typeof engineProtocol> {
  readonly state: EngineState;
  /** The loaded model, while state is `ready`. */
  readonly model: LoadResult | null;
  readonly health: WorkerHealth;
  onEvent(listener: (event: EngineClientEvent) => void): () => void;
  /** Replaces the worker; pending calls reject with AbortError and the model must be loaded again. */
  restart(): void;
  dispose(): void;
}

/**
 * Loading may compile WASM or WebGPU pipelines and create ONNX sessions in
 * long synchronous steps, so it gets three minutes of silence; one inference
 * step (a long prefill on CPU) gets a minute, which `default` gives every
 * method not named.
 */
export const ENGINE_HANG_TIMEOUTS: Readonly<HangTimeouts<EngineMethods> & { default: number }> = Object.freeze({
  default: 60_000,
  load: 180_000,
  generate: 60_000,
  score: 60_000,
  unload: 30_000,
});

const LOST_MESSAGE = 'The model engine stopped and was restarted; load the model again.';
const FAILED_MESSAGE = 'The model engine stopped and could not be restarted; reload the page.';

export function createEngineClient(options: EngineClientOptions): EngineClient {
  const hangTimeoutMs: HangTimeouts<EngineMethods> =
    typeof options.hangTimeoutMs === 'number'
      ? { default: options.hangTimeoutMs }
      : { ...ENGINE_HANG_TIMEOUTS, ...options.hangTimeoutMs };
  const client = createWorkerClient<EngineMethods>({
    protocol: engineProtocol,
    createWorker: options.createWorker,
    name: 'model engine',
    hangTimeoutMs,
    ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(options.startTimeoutMs !== undefined ? { startTimeoutMs: options.startTimeoutMs } : {}),
    ...(options.maxConsecutiveLosses !== undefined ? { maxConsecutiveLosses: options.maxConsecutiveLosses } : {}),
  });
  const listeners = new Set<(event: EngineClientEvent) => void>();
  let state: EngineState = 'idle';
  let model: LoadResult | null = null;
  /** Only the latest load decides the state. */
  let loadToken = 0;

  function emit(event: EngineClientEvent): void {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error('engine client listener failed', error);
      }
    }
  }

  function setState(next: EngineState): void {
    if (state === next) return;
    state = next;
    emit({ type: 'state', state });
  }

  client.onEvent((event) => {
    if (event.type === 'worker-lost') {
      loadToken += 1;
      model = null;
      setState('crashed');
      emit({ type: 'engine-lost', error: event.error, restarted: event.restarted, message: event.restarted ? LOST_MESSAGE : FAILED_MESSAGE });
    } else if (event.type === 'protocol-error') {
      emit(event);
    }
  });

  const remote = createWorkerProxy(client, engineProtocol);

  return {
    ...remote,
    async load(spec, callOptions = {}) {
      const token = ++loadToken;
      model = null;
      setState('loading');
      try {
        const result = await remote.load(spec, callOptions);
        if (token === loadToken) {
          model = result;
          setState('ready');
        }
        return result;
      } catch (error) {
        const typed = toMedfactError(error);
        // A lost worker already moved the state to `crashed`; keep it so the UI asks for a reload.
        if (token === loadToken && state === 'loading') setState('idle');
        throw typed;
      }
    },
    async unload(callOptions = {}) {
      loadToken += 1;
      try {
        await remote.unload(callOptions);
      } finally {
        model = null;
        if (state !== 'crashed' && state !== 'disposed') setState('idle');
      }
    },
    get state() {
      return state;
    },
    get model() {
      return model;
    },
    get health() {
      return client.health;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    restart() {
      loadToken += 1;
      model = null;
      client.restart();
      setState('idle');
    },
    dispose() {
      loadToken += 1;
      model = null;
      client.dispose();
      setState('disposed');
      listeners.clear();
    },
  };
}
