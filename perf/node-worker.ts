/**
 * node:worker_threads as the protocol's WorkerLike / PortLike, so the app's
 * engine client and server run across a real thread in Node.
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import type { MessageEventLike, PortLike, WorkerLike } from '../src/protocol/messages';

type Listener = (event: MessageEventLike) => void;
type EventName = 'message' | 'messageerror' | 'error';

function listenerSet() {
  const map = new Map<EventName, Set<Listener>>();
  return {
    add: (type: EventName, l: Listener) => void (map.get(type) ?? map.set(type, new Set()).get(type))?.add(l),
    remove: (type: EventName, l: Listener) => void map.get(type)?.delete(l),
    emit: (type: EventName, event: MessageEventLike) => {
      for (const l of [...(map.get(type) ?? [])]) l(event);
    },
  };
}

const BOOT = new URL('./workers/boot.mjs', import.meta.url);

/** A thread running the TypeScript module `entry` (a file URL); `data` reaches it as workerData. */
export function startNodeWorker(entry: URL, data: Record<string, unknown> = {}): WorkerLike & { exited: Promise<void> } {
  const worker = new Worker(BOOT, { workerData: { ...data, entry: entry.href } });
  const listeners = listenerSet();
  let terminated = false;
  worker.on('message', (d: unknown) => listeners.emit('message', { data: d }));
  worker.on('messageerror', () => listeners.emit('messageerror', {}));
  worker.on('error', (error: Error) => listeners.emit('error', { message: error.message, error }));
  const exited = new Promise<void>((resolve) => {
    worker.on('exit', (code: number) => {
      if (!terminated) listeners.emit('error', { message: `worker exited with code ${code}` });
      resolve();
    });
  });
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer as never),
    addEventListener: (type, l) => listeners.add(type, l),
    removeEventListener: (type, l) => listeners.remove(type, l),
    terminate() {
      terminated = true;
      void worker.terminate();
    },
    exited,
  };
}

/** The worker side: parentPort as a PortLike. */
export function nodePortLike(port: MessagePort): PortLike {
  const listeners = listenerSet();
  port.on('message', (d: unknown) => listeners.emit('message', { data: d }));
  port.on('messageerror', () => listeners.emit('messageerror', {}));
  return {
    postMessage: (message, transfer) => port.postMessage(message, transfer as never),
    addEventListener: (type, l) => listeners.add(type, l),
    removeEventListener: (type, l) => listeners.remove(type, l),
  };
}
