/**
 * The typed message protocol between the main thread and a worker.
 *
 * A request is `{ type: 'request', id, method, params }`; every reply is keyed
 * by the request id and is one of `progress | chunk | result | error`. A
 * `cancel` message asks the worker to abort the request with that id. The
 * payload types follow from the method through a method map (a `type` alias
 * whose entries are `MethodSpec`s), so the generic server and client are
 * reused by every worker: the model engine, the benchmark runner, each with
 * its own map. A worker's map is not written by hand: it is derived from its
 * one declaration of validators (see declare-protocol.ts).
 *
 * `ping` is built into every server (the client's heartbeat), so method maps
 * do not declare it.
 */
import type { SerializedError } from './errors';

/** One method: what goes in, what comes out, and what streams meanwhile. */
export interface MethodSpec<Params, Result, Progress = never, Chunk = never> {
  params: Params;
  result: Result;
  progress: Progress;
  chunk: Chunk;
}

/**
 * The constraint every method map satisfies. Declare maps with `type`, not
 * `interface`: only type aliases get the implicit index signature.
 */
export type MethodMapBase = Record<string, MethodSpec<unknown, unknown, unknown, unknown>>;

export type MethodName<M extends MethodMapBase> = keyof M & string;
export type ParamsOf<M extends MethodMapBase, K extends MethodName<M>> = M[K]['params'];
export type ResultOf<M extends MethodMapBase, K extends MethodName<M>> = M[K]['result'];
export type ProgressOf<M extends MethodMapBase, K extends MethodName<M>> = M[K]['progress'];
export type ChunkOf<M extends MethodMapBase, K extends MethodName<M>> = M[K]['chunk'];

/** The built-in heartbeat method, answered by every server. */
export const PING_METHOD = 'ping';
export interface PingResult {
  /** Worker clock (performance.now or Date.now), for diagnostics only. */
  at: number;
}

/** Request ids are positive integers chosen by the client. */
export type RequestId = number;

export interface RequestMessage<M extends MethodMapBase = MethodMapBase, K extends MethodName<M> = MethodName<M>> {
  type: 'request';
  id: RequestId;
  method: K;
  params: ParamsOf<M, K>;
}

export interface CancelMessage {
  type: 'cancel';
  id: RequestId;
}

export type ClientMessage = RequestMessage | CancelMessage;

export interface ProgressMessage<P = unknown> {
  type: 'progress';
  id: RequestId;
  data: P;
}

export interface ChunkMessage<C = unknown> {
  type: 'chunk';
  id: RequestId;
  data: C;
}

export interface ResultMessage<R = unknown> {
  type: 'result';
  id: RequestId;
  data: R;
}

/** `id` is null when the offending message carried no usable id. */
export interface ErrorMessage {
  type: 'error';
  id: RequestId | null;
  error: SerializedError;
}

export type ServerMessage = ProgressMessage | ChunkMessage | ResultMessage | ErrorMessage;

/**
 * The parts of Worker, DedicatedWorkerGlobalScope, MessagePort and Node's
 * worker_threads ports that the protocol needs, so tests can use
 * MessageChannel or worker_threads.
 */
export interface PortLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: MessageEventLike) => void): void;
  removeEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: MessageEventLike) => void): void;
  /** MessagePort needs start() when listened to with addEventListener. */
  start?(): void;
}

/** What a listener reads from a message or error event. */
export interface MessageEventLike {
  data?: unknown;
  message?: unknown;
  error?: unknown;
}

/** A worker the client can throw away and replace. */
export interface WorkerLike extends PortLike {
  terminate(): void;
}

/** Validates a payload at the thread boundary; zod schemas satisfy this. */
export interface Parser<T> {
  parse(value: unknown): T;
}

/**
 * Runtime validators for every method of a map. The server parses params
 * (failure → BAD_REQUEST); the client parses results, progress and chunks
 * (failure → a typed INTERNAL error) so that payload types are checked, not
 * asserted. A method that streams no progress (or no chunks) may leave that
 * validator out: any such message is then refused.
 */
export type Protocol<M extends MethodMapBase> = {
  [K in MethodName<M>]: {
    params: Parser<ParamsOf<M, K>>;
    result: Parser<ResultOf<M, K>>;
    progress?: Parser<ProgressOf<M, K>>;
    chunk?: Parser<ChunkOf<M, K>>;
  };
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** Reads a usable request id from anything, for error replies to malformed messages. */
export function readRequestId(value: unknown): RequestId | null {
  return isRecord(value) && isRequestId(value.id) ? value.id : null;
}

export type ParsedClientMessage =
  | { ok: true; kind: 'request'; id: RequestId; method: string; params: unknown }
  | { ok: true; kind: 'cancel'; id: RequestId }
  | { ok: false; id: RequestId | null; reason: string };

/** Shape check of an incoming client message; the method and params are checked by the server. */
export function parseClientMessage(value: unknown): ParsedClientMessage {
  if (!isRecord(value)) return { ok: false, id: null, reason: 'The message is not an object.' };
  const id = readRequestId(value);
  if (id === null) return { ok: false, id: null, reason: 'The message has no valid request id.' };
  if (value.type === 'cancel') return { ok: true, kind: 'cancel', id };
  if (value.type !== 'request') return { ok: false, id, reason: 'The message type is neither request nor cancel.' };
  if (typeof value.method !== 'string' || value.method === '') {
    return { ok: false, id, reason: 'The request has no method name.' };
  }
  return { ok: true, kind: 'request', id, method: value.method, params: value.params };
}

export type ParsedServerMessage =
  | { ok: true; type: 'progress' | 'chunk' | 'result'; id: RequestId; data: unknown }
  | { ok: true; type: 'error'; id: RequestId | null; error: unknown }
  | { ok: false; reason: string };

/** Shape check of an incoming server reply; payloads are checked by the client against the protocol. */
export function parseServerMessage(value: unknown): ParsedServerMessage {
  if (!isRecord(value)) return { ok: false, reason: 'The reply is not an object.' };
  const { type } = value;
  if (type === 'error') {
    const id = value.id === null ? null : readRequestId(value);
    return { ok: true, type, id, error: value.error };
  }
  if (type !== 'progress' && type !== 'chunk' && type !== 'result') {
    return { ok: false, reason: 'The reply type is unknown.' };
  }
  const id = readRequestId(value);
  if (id === null) return { ok: false, reason: 'The reply has no valid request id.' };
  return { ok: true, type, id, data: value.data };
}

/**
 * A parser that checks nothing, for payloads the caller vouches for (large
 * binary results where a deep check would cost more than it protects).
 */
export function unchecked<T>(): Parser<T> {
  return { parse: (value: unknown) => value as T };
}

/** The parser for `never` payloads (methods without progress or chunks). */
export const neverPayload: Parser<never> = {
  parse(): never {
    throw new TypeError('This method sends no such payload.');
  },
};

/**
 * The params validator of a method that takes none (`unload()`): the derived
 * proxy then takes only call options, the way ModelEngine.unload does.
 */
export const noParams: Parser<undefined> = {
  parse(value: unknown): undefined {
    if (value !== undefined) throw new TypeError('This method takes no parameters.');
    return undefined;
  },
};
