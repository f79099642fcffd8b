/**
 * Calls `emit` at most once per `intervalMs` with the latest value; the last
 * value is never lost (a trailing call is scheduled). `flush` sends a
 * pending value at once (end of run).
 */
export interface Throttled<T> {
  (value: T): void;
  flush(): void;
  cancel(): void;
}

export function throttleLatest<T>(emit: (value: T) => void, intervalMs: number, now: () => number = Date.now): Throttled<T> {
  let last = -Infinity;
  let pending: { value: T } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const send = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    last = now();
    emit(value);
  };
  const fn = ((value: T) => {
    pending = { value };
    const wait = last + intervalMs - now();
    if (wait <= 0) send();
    else if (timer === null) timer = setTimeout(send, wait);
  }) as Throttled<T>;
  fn.flush = send;
  fn.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    pending = null;
  };
  return fn;
}
