/**
 * Runs engine calls one at a time. ONNX Runtime and WebLLM both fail with
 * "session already started"-style errors when two calls overlap; a worker
 * may receive a score request while a generation is still streaming.
 */
export interface SerialQueue {
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const result = tail.then(task, task);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
