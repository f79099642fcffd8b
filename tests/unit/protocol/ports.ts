/**
 * Test transports: an in-process "worker" over a MessageChannel, and a real
 * node:worker_threads Worker running a TypeScript entry, both as WorkerLike.
 */
import { Worker } from 'node:worker_threads';
import type { MessageEventLike, PortLike, WorkerLike } from '../../../src/protocol/messages';

type Listener = (event: MessageEventLike) => void;
type EventName = 'message' | 'messageerror' | 'error';

class Listeners {
  private readonly map = new Map<EventName, Set<Listener>>();
  add(type: EventName, listener: Listener): void {
    const set = this.map.get(type) ?? new Set<Listener>();
    set.add(listener);
    this.map.set(type, set);
  }
  remove(type: EventName, listener: Listener): void {
    this.map.get(type)?.delete(listener);
  }
  emit(type: EventName, event: MessageEventLike): void {
    for (const listener of [...(this.map.get(type) ?? [])]) listener(event);
  }
}

export interface InProcessWorker extends WorkerLike {
  /** Simulates an uncaught error in the worker. */
  crash(message?: string): void;
  /** Simulates a worker whose event loop is blocked: it stops answering. */
  freeze(): void;
  readonly terminated: boolean;
}

/**
 * A worker in the same thread: `serve` gets the worker-side port. The
 * returned object also lets a test crash or freeze it.
 */
export function inProcessWorker(serve: (port: PortLike) => { close(): void }): InProcessWorker {
  const channel = new MessageChannel();
  const server = serve(channel.port2);
  const listeners = new Listeners();
  let frozen = false;
  let terminated = false;
  channel.port1.addEventListener('message', (event) => {
    if (!frozen && !terminated) listeners.emit('message', { data: event.data });
  });
  channel.port1.start();
  return {
    postMessage(message, transfer) {
      if (terminated) return;
      if (frozen) return; // a blocked worker never reads its queue
      channel.port1.postMessage(message, transfer ?? []);
    },
    addEventListener: (type, listener) => listeners.add(type, listener),
    removeEventListener: (type, listener) => listeners.remove(type, listener),
    terminate() {
      if (terminated) return;
      terminated = true;
      server.close();
      channel.port1.close();
      channel.port2.close();
    },
    crash(message = 'simulated crash') {
      listeners.emit('error', { message });
    },
    freeze() {
      frozen = true;
    },
    get terminated() {
      return terminated;
    },
  };
}

const BOOT = new URL('./workers/boot.mjs', import.meta.url);

/** Live node worker threads started by `nodeWorker`, so tests can make sure none leak. */
export const liveNodeWorkers = new Set<Worker>();

/**
 * A real thread running `entry` (a .ts file under ./workers). A worker that
 * exits on its own is reported as an `error` event, like a browser worker
 * whose script died.
 */
export function nodeWorker(entry: string): WorkerLike {
  const worker = new Worker(BOOT, { workerData: { entry: new URL(`./workers/${entry}`, import.meta.url).href } });
  liveNodeWorkers.add(worker);
  const listeners = new Listeners();
  let terminated = false;
  worker.on('message', (data: unknown) => listeners.emit('message', { data }));
  worker.on('messageerror', () => listeners.emit('messageerror', {}));
  worker.on('error', (error: Error) => listeners.emit('error', { message: error.message, error }));
  worker.on('exit', (code: number) => {
    liveNodeWorkers.delete(worker);
    if (!terminated) listeners.emit('error', { message: `worker exited with code ${code}` });
  });
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer as never),
    addEventListener: (type, listener) => listeners.add(type, listener),
    removeEventListener: (type, listener) => listeners.remove(type, listener),
    terminate() {
      terminated = true;
      void worker.terminate();
    },
  };
}

/** The worker side of `nodeWorker`: parentPort as a PortLike. */
export function parentPortLike(port: import('node:worker_threads').MessagePort): PortLike {
  const listeners = new Listeners();
  port.on('message', (data: unknown) => listeners.emit('message', { data }));
  port.on('messageerror', () => listeners.emit('messageerror', {}));
  return {
    postMessage: (message, transfer) => port.postMessage(message, transfer as never),
    addEventListener: (type, listener) => listeners.add(type, listener),
    removeEventListener: (type, listener) => listeners.remove(type, listener),
  };
}

/** Wraps a worker so each request the page sends it (pings excluded) is recorded by method name, in order. */
export function countingRequests(worker: WorkerLike, requests: string[]): WorkerLike {
  return {
    ...worker,
    postMessage(message, transfer) {
      const m = message as { type?: string; method?: string };
      if (m.type === 'request' && m.method !== 'ping') requests.push(m.method ?? '');
      worker.postMessage(message, transfer);
    },
  };
}
