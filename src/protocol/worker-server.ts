/**
 * The worker side of the protocol, generic over a method map. It validates
 * every incoming message, runs the handler with an AbortSignal that a
 * `cancel` message aborts, streams progress and chunks, and replies with the
 * result or a serialized typed error. It never throws from the message
 * listener: bad input becomes an error reply.
 */
import { AbortError, MedfactError, serializeError } from './errors';
import {
  PING_METHOD,
  parseClientMessage,
  readRequestId,
  type ChunkOf,
  type MessageEventLike,
  type MethodMapBase,
  type MethodName,
  type ParamsOf,
  type PingResult,
  type PortLike,
  type ProgressOf,
  type Protocol,
  type RequestId,
  type ResultOf,
  type ServerMessage,
} from './messages';

export interface HandlerContext<M extends MethodMapBase, K extends MethodName<M>> {
  /** Aborted when the client cancels this request or the server closes. */
  signal: AbortSignal;
  progress(data: ProgressOf<M, K>): void;
  chunk(data: ChunkOf<M, K>): void;
  /** Objects to transfer (not copy) with the result, e.g. large ArrayBuffers. */
  transferResult(objects: Transferable[]): void;
}

export type Handler<M extends MethodMapBase, K extends MethodName<M>> = (
  params: ParamsOf<M, K>,
  context: HandlerContext<M, K>,
) => Promise<ResultOf<M, K>> | ResultOf<M, K>;

export type Handlers<M extends MethodMapBase> = { [K in MethodName<M>]: Handler<M, K> };

export interface WorkerServer {
  /** Requests still running. */
  readonly activeCount: number;
  /** Stops listening and aborts every running request. */
  close(): void;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** Keeps validation messages (paths and rules), never the offending values, which may be user text. */
function issueSummary(error: unknown): Record<string, unknown> {
  if (error && typeof error === 'object' && 'issues' in error && Array.isArray(error.issues)) {
    const issues: unknown[] = error.issues;
    return {
      issues: issues.slice(0, 10).map((issue) =>
        issue && typeof issue === 'object'
          ? {
              path: 'path' in issue && Array.isArray(issue.path) ? issue.path.map(String).join('.') : '',
              message: 'message' in issue ? String(issue.message) : '',
            }
          : {},
      ),
    };
  }
  return {};
}

export function createWorkerServer<M extends MethodMapBase>(
  port: PortLike,
  handlers: Handlers<M>,
  protocol: Protocol<M>,
): WorkerServer {
  const active = new Map<RequestId, AbortController>();
  let closed = false;

  function post(message: ServerMessage, transfer?: Transferable[]): void {
    try {
      port.postMessage(message, transfer ?? []);
    } catch (error) {
      // e.g. DataCloneError: a payload that cannot cross threads. Tell the client instead.
      if (message.type === 'error') return;
      try {
        port.postMessage({
          type: 'error',
          id: message.id,
          error: serializeError(
            new MedfactError('INTERNAL', `The worker could not send its ${message.type}.`, {
              cause: serializeError(error),
            }),
          ),
        } satisfies ServerMessage);
      } catch {
        // The port itself is gone; the client's heartbeat will notice.
      }
    }
  }

  function postError(id: RequestId | null, error: unknown): void {
    post({ type: 'error', id, error: serializeError(error) });
  }

  function isMethod(method: string): method is MethodName<M> {
    return Object.hasOwn(protocol, method) && Object.hasOwn(handlers, method);
  }

  async function run<K extends MethodName<M>>(id: RequestId, method: K, rawParams: unknown): Promise<void> {
    const spec = protocol[method];
    let params: ParamsOf<M, K>;
    try {
      params = spec.params.parse(rawParams);
    } catch (error) {
      postError(
        id,
        new MedfactError('BAD_REQUEST', `The parameters of "${method}" are invalid.`, {
          method,
          ...issueSummary(error),
        }),
      );
      return;
    }
    const controller = new AbortController();
    active.set(id, controller);
    let settled = false;
    let resultTransfer: Transferable[] = [];
    const context: HandlerContext<M, K> = {
      signal: controller.signal,
      progress(data) {
        if (!settled && !controller.signal.aborted) post({ type: 'progress', id, data });
      },
      chunk(data) {
        if (!settled && !controller.signal.aborted) post({ type: 'chunk', id, data });
      },
      transferResult(objects) {
        resultTransfer = objects;
      },
    };
    try {
      const handler: Handler<M, K> = handlers[method];
      const result = await handler(params, context);
      settled = true;
      // A cancelled request may still finish; the client has already moved on, so report the abort.
      if (controller.signal.aborted) postError(id, new AbortError());
      else post({ type: 'result', id, data: result }, resultTransfer);
    } catch (error) {
      settled = true;
      postError(id, controller.signal.aborted ? new AbortError() : error);
    } finally {
      active.delete(id);
    }
  }

  function onMessage(event: MessageEventLike): void {
    if (closed) return;
    try {
      const message = parseClientMessage(event.data);
      if (!message.ok) {
        postError(message.id, new MedfactError('BAD_REQUEST', `Malformed message: ${message.reason}`));
        return;
      }
      if (message.kind === 'cancel') {
        active.get(message.id)?.abort(new AbortError());
        return;
      }
      const { id, method } = message;
      if (method === PING_METHOD) {
        post({ type: 'result', id, data: { at: now() } satisfies PingResult });
        return;
      }
      if (active.has(id)) {
        postError(id, new MedfactError('BAD_REQUEST', `Request id ${id} is already running.`));
        return;
      }
      if (!isMethod(method)) {
        postError(id, new MedfactError('UNKNOWN_METHOD', `The worker has no method "${method}".`, { method }));
        return;
      }
      void run(id, method, message.params);
    } catch (error) {
      postError(readRequestId(event.data), error);
    }
  }

  function onMessageError(): void {
    postError(null, new MedfactError('BAD_REQUEST', 'A message could not be read by the worker.'));
  }

  port.addEventListener('message', onMessage);
  port.addEventListener('messageerror', onMessageError);
  port.start?.();

  return {
    get activeCount() {
      return active.size;
    },
    close() {
      closed = true;
      port.removeEventListener('message', onMessage);
      port.removeEventListener('messageerror', onMessageError);
      for (const controller of active.values()) controller.abort(new AbortError());
      active.clear();
    },
  };
}
