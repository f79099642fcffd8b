/**
 * The one `t`. In components: `const t = useT('bench')` gives a `t` bound to
 * the current locale that accepts the core keys plus the bench keys (a key
 * of a namespace not named is a type error), re-renders on a locale change,
 * and suspends until the named namespaces are loaded, so the nearest
 * <Suspense> (the route's: 正在加载…) shows instead of raw keys. Outside React:
 * `t(key)` for the core keys.
 */
import { use, useCallback } from 'react';
import { loadNamespace, translate, translateLoaded, type CoreKey, type NamespaceName, type Translate } from './catalog';
import { useLocaleStore } from './locale-store';
import type { MessageParams } from './translate';

export function useT<const N extends readonly NamespaceName[] = []>(...namespaces: N): Translate<N[number]> {
  const locale = useLocaleStore((s) => s.locale);
  // Called for every named namespace on every render (React requires use() in the same places); a loaded one returns at once.
  for (const name of namespaces) use(loadNamespace(name));
  return useCallback((key, params) => translateLoaded(locale, key, params), [locale]);
}

/** For code outside React (services, error toasts). */
export function t(key: CoreKey, params?: MessageParams): string {
  return translate(useLocaleStore.getState().locale, key, params);
}
