/**
 * The main-thread side of the protocol, generic over a method map. Callers
 * get typed promises; they never see postMessage.
 *
 * Cancellation: an aborted signal sends `cancel` for the request id (the
 * worker aborts the engine call softly) and rejects at once with AbortError.
 *
 * Crash and hang recovery: a worker `error` event means it crashed. While any
 * request is in flight the client pings every `heartbeatMs`; when nothing at
 * all (reply, progress, chunk or pong) has come back for the hang timeout,
 * the worker is considered hung. Either way every pending request rejects
 * with WORKER_CRASHED or WORKER_TIMEOUT, the worker is terminated and a fresh
 * one is created from the factory (up to `maxConsecutiveLosses` times in a
 * row, so a worker that fails on start-up does not loop).
 *
 * Why the timeouts are generous and per method: a worker runs model code
 * whose single steps can be synchronous (WASM session creation, a long
 * prefill on CPU) and block its event loop, so it cannot answer pings
 * meanwhile. Loading gets minutes, inference a minute; callers can tune both.
 *
 * Starting is not hanging: a fresh worker first has to fetch, compile and run
 * its script (a slow laptop, a cold cache, or tsx compiling a test worker can
 * take seconds), and it cannot answer pings meanwhile. Until a worker has said
 * anything at all, its silence is measured against `startTimeoutMs` from the
 * moment it was created, never against a method's hang timeout; only a worker
 * that has answered once and then falls silent is reported as hung.
 */
import { AbortError, MedfactError, deserializeError, toMedfactError } from '../protocol/errors';
import {
  PING_METHOD,
  neverPayload,
  parseServerMessage,
  type ChunkOf,
  type MessageEventLike,
  type MethodMapBase,
  type MethodName,
  type ParamsOf,
  type ProgressOf,
  type Protocol,
  type RequestId,
  type RequestMessage,
  type ResultOf,
  type WorkerLike,
} from '../protocol/messages';

export const DEFAULT_HEARTBEAT_MS = 5_000;
export const DEFAULT_HANG_TIMEOUT_MS = 60_000;
/** How long a new worker may take before its first message (script load and start-up). */
export const DEFAULT_START_TIMEOUT_MS = 120_000;

/** Per-method hang timeouts in ms; `default` covers methods not named. */
export type HangTimeouts<M extends MethodMapBase> = { default?: number } & Partial<Record<MethodName<M>, number>>;

export interface WorkerClientOptions<M extends MethodMapBase> {
  protocol: Protocol<M>;
  createWorker: () => WorkerLike;
  /** Used in error messages, e.g. "model engine". */
  name?: string;
  heartbeatMs?: number;
  hangTimeoutMs?: number | HangTimeouts<M>;
  /** Silence allowed to a new worker before its first message (see the header). */
  startTimeoutMs?: number;
  /** Automatic restarts in a row without the worker ever answering. Default 3. */
  maxConsecutiveLosses?: number;
}

export interface RequestOptions<M extends MethodMapBase, K extends MethodName<M>> {
  signal?: AbortSignal;
  onProgress?: (data: ProgressOf<M, K>) => void;
  onChunk?: (data: ChunkOf<M, K>) => void;
  /** Objects to transfer (not copy) with the params. */
  transfer?: Transferable[];
  /** Overrides the hang timeout for this call. */
  hangTimeoutMs?: number;
}

export type WorkerHealth = 'not-started' | 'running' | 'failed' | 'disposed';

export type WorkerClientEvent =
  /** The worker crashed or hung; pending requests were rejected with `error`. */
  | { type: 'worker-lost'; error: MedfactError; restarted: boolean }
  /** restart() replaced the worker. */
  | { type: 'restarted' }
  /** A reply could not be read; nothing to do but report it. */
  | { type: 'protocol-error'; error: MedfactError };

export interface WorkerClient<M extends MethodMapBase> {
  request<K extends MethodName<M>>(
    method: K,
    params: ParamsOf<M, K>,
    options?: RequestOptions<M, K>,
  ): Promise<ResultOf<M, K>>;
  readonly health: WorkerHealth;
  readonly pendingCount: number;
  onEvent(listener: (event: WorkerClientEvent) => void): () => void;
  /** Terminates the worker (pending requests reject with AbortError) and starts a fresh one. */
  restart(): void;
  /** Terminates the worker for good; later requests reject with AbortError. */
  dispose(): void;
}

interface Pending {
  method: string;
  hangTimeoutMs: number;
  deliver(type: 'progress' | 'chunk' | 'result', data: unknown): void;
  fail(error: MedfactError): void;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

export function createWorkerClient<M extends MethodMapBase>(options: WorkerClientOptions<M>): WorkerClient<M> {
  const { protocol, createWorker } = options;
  const name = options.name ?? 'worker';
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const timeouts: Partial<Record<string, number>> =
    typeof options.hangTimeoutMs === 'number' ? { default: options.hangTimeoutMs } : { ...options.hangTimeoutMs };
  const maxLosses = options.maxConsecutiveLosses ?? 3;
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;

  const pending = new Map<RequestId, Pending>();
  const listeners = new Set<(event: WorkerClientEvent) => void>();
  let worker: WorkerLike | null = null;
  let health: WorkerHealth = 'not-started';
  let nextId = 1;
  let lastHeard = 0;
  /** Whether the current worker has sent anything yet (until then it is starting, not hung). */
  let started = false;
  let spawnedAt = 0;
  let lastTick = 0;
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  let consecutiveLosses = 0;

  function emit(event: WorkerClientEvent): void {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error('worker client listener failed', error);
      }
    }
  }

  function hangTimeoutFor(method: string, override: number | undefined): number {
    if (override !== undefined) return override;
    return timeouts[method] ?? timeouts.default ?? DEFAULT_HANG_TIMEOUT_MS;
  }

  function spawn(): WorkerLike {
    const created = createWorker();
    const onMessage = (event: MessageEventLike): void => {
      if (worker !== created) return;
      lastHeard = now();
      started = true;
      consecutiveLosses = 0;
      handleReply(event.data);
    };
    const onError = (event: MessageEventLike): void => {
      if (worker !== created) return;
      const message = typeof event.message === 'string' ? event.message : undefined;
      lose('crash', message);
    };
    const onMessageError = (): void => {
      if (worker !== created) return;
      emit({ type: 'protocol-error', error: new MedfactError('INTERNAL', `A reply from the ${name} could not be read.`) });
    };
    created.addEventListener('message', onMessage);
    created.addEventListener('error', onError);
    created.addEventListener('messageerror', onMessageError);
    created.start?.();
    worker = created;
    started = false;
    spawnedAt = now();
    health = 'running';
    return created;
  }

  function teardown(): void {
    const old = worker;
    worker = null;
    stopHeartbeat();
    if (!old) return;
    try {
      old.terminate();
    } catch {
      // already gone
    }
  }

  function rejectAll(error: MedfactError): void {
    for (const entry of [...pending.values()]) entry.fail(error);
    pending.clear();
  }

  function lose(kind: 'crash' | 'hang' | 'start', reason?: string): void {
    const error =
      kind === 'crash'
        ? new MedfactError('WORKER_CRASHED', `The ${name} stopped unexpectedly and was restarted. Try again.`, {
            ...(reason ? { reason } : {}),
          })
        : kind === 'start'
          ? new MedfactError(
              'WORKER_TIMEOUT',
              `The ${name} did not start within ${Math.round(startTimeoutMs / 1000)} s. Reload the page; if it keeps happening, close other tabs or programs.`,
              { startingMs: Math.round(now() - spawnedAt) },
            )
          : new MedfactError(
            'WORKER_TIMEOUT',
            `The ${name} stopped answering and was restarted. Try again, or choose a smaller model.`,
            { silentMs: Math.round(now() - lastHeard) },
          );
    teardown();
    consecutiveLosses += 1;
    const restarted = consecutiveLosses <= maxLosses;
    if (restarted) {
      try {
        spawn();
      } catch {
        health = 'failed';
      }
    } else {
      health = 'failed';
    }
    rejectAll(error);
    emit({ type: 'worker-lost', error, restarted: restarted && health === 'running' });
  }

  function startHeartbeat(): void {
    if (heartbeat !== null) return;
    lastHeard = now();
    lastTick = lastHeard;
    heartbeat = setInterval(tick, heartbeatMs);
  }

  function stopHeartbeat(): void {
    if (heartbeat === null) return;
    clearInterval(heartbeat);
    heartbeat = null;
  }

  function tick(): void {
    if (pending.size === 0) {
      stopHeartbeat();
      return;
    }
    // A late tick means this side was stalled (a busy machine, a throttled
    // background tab): no pings went out meanwhile, so that time is not the
    // worker's silence. Only silence while we were pinging counts.
    const at = now();
    const stalled = at - lastTick - heartbeatMs;
    if (stalled > heartbeatMs) {
      lastHeard += stalled;
      spawnedAt += stalled;
    }
    lastTick = at;
    if (!started) {
      // Still starting: pings queue up until the script runs; judge by the start budget only.
      if (now() - spawnedAt > startTimeoutMs) {
        lose('start');
        return;
      }
    } else {
      let limit = 0;
      for (const entry of pending.values()) limit = Math.max(limit, entry.hangTimeoutMs);
      if (now() - lastHeard > limit) {
        lose('hang');
        return;
      }
    }
    try {
      worker?.postMessage({ type: 'request', id: nextId++, method: PING_METHOD, params: undefined });
    } catch {
      // a failed post shows up as silence, which the next tick handles
    }
  }

  function handleReply(data: unknown): void {
    const reply = parseServerMessage(data);
    if (!reply.ok) {
      emit({ type: 'protocol-error', error: new MedfactError('INTERNAL', `The ${name} sent a malformed reply: ${reply.reason}`) });
      return;
    }
    if (reply.type === 'error') {
      const error = deserializeError(reply.error);
      const entry = reply.id === null ? undefined : pending.get(reply.id);
      if (entry) entry.fail(error);
      else if (reply.id === null) emit({ type: 'protocol-error', error });
      return;
    }
    // Replies for unknown ids are pongs or answers to cancelled requests.
    pending.get(reply.id)?.deliver(reply.type, reply.data);
  }

  function request<K extends MethodName<M>>(
    method: K,
    params: ParamsOf<M, K>,
    callOptions: RequestOptions<M, K> = {},
  ): Promise<ResultOf<M, K>> {
    return new Promise<ResultOf<M, K>>((resolve, reject) => {
      const { signal, onProgress, onChunk } = callOptions;
      if (health === 'disposed') {
        reject(new AbortError(`The ${name} was closed.`));
        return;
      }
      if (signal?.aborted) {
        reject(new AbortError());
        return;
      }
      let target: WorkerLike;
      try {
        target = worker ?? spawn();
      } catch (error) {
        health = 'failed';
        reject(new MedfactError('WORKER_CRASHED', `The ${name} could not be started.`, { cause: toMedfactError(error).message }));
        return;
      }
      const id = nextId++;
      const spec = protocol[method];

      const finish = (): void => {
        pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
        if (pending.size === 0) stopHeartbeat();
      };
      const fail = (error: MedfactError): void => {
        finish();
        reject(error);
      };
      const failAndCancel = (error: MedfactError): void => {
        fail(error);
        try {
          worker?.postMessage({ type: 'cancel', id });
        } catch {
          // nothing left to cancel
        }
      };
      const onAbort = (): void => failAndCancel(new AbortError());

      const entry: Pending = {
        method,
        hangTimeoutMs: hangTimeoutFor(method, callOptions.hangTimeoutMs),
        fail,
        deliver(type, data) {
          let stage = 'result';
          try {
            if (type === 'progress') {
              stage = 'progress';
              const value = (spec.progress ?? neverPayload).parse(data);
              stage = 'callback';
              onProgress?.(value);
            } else if (type === 'chunk') {
              stage = 'chunk';
              const value = (spec.chunk ?? neverPayload).parse(data);
              stage = 'callback';
              onChunk?.(value);
            } else {
              const value = spec.result.parse(data);
              finish();
              resolve(value);
            }
          } catch (error) {
            failAndCancel(
              stage === 'callback'
                ? toMedfactError(error)
                : new MedfactError('INTERNAL', `The ${name} sent an invalid ${stage} for "${method}".`, { method }),
            );
          }
        },
      };

      pending.set(id, entry);
      signal?.addEventListener('abort', onAbort, { once: true });
      startHeartbeat();
      const message: RequestMessage<M, K> = { type: 'request', id, method, params };
      try {
        target.postMessage(message, callOptions.transfer ?? []);
      } catch (error) {
        fail(new MedfactError('BAD_REQUEST', `The parameters of "${method}" cannot be sent to the ${name}.`, {
          cause: toMedfactError(error).message,
        }));
      }
    });
  }

  return {
    request,
    get health() {
      return health;
    },
    get pendingCount() {
      return pending.size;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    restart() {
      if (health === 'disposed') return;
      teardown();
      rejectAll(new AbortError(`The ${name} was restarted.`));
      consecutiveLosses = 0;
      try {
        spawn();
      } catch {
        health = 'failed';
        return;
      }
      emit({ type: 'restarted' });
    },
    dispose() {
      if (health === 'disposed') return;
      teardown();
      health = 'disposed';
      rejectAll(new AbortError(`The ${name} was closed.`));
      listeners.clear();
    },
  };
}
