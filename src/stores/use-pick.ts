/**
 * Read several fields of a zustand store in one hook call, re-rendering only
 * when one of them changes (shallow compare), instead of one `useStore(s =>
 * s.x)` line per field in every screen.
 */
import { useShallow } from 'zustand/react/shallow';

type Selectable<S> = <U>(selector: (state: S) => U) => U;

export function usePick<S extends object, K extends keyof S>(useStore: Selectable<S>, ...keys: K[]): Pick<S, K> {
  return useStore(
    useShallow((state: S) => {
      const out = {} as Pick<S, K>;
      for (const key of keys) out[key] = state[key];
      return out;
    }),
  );
}
