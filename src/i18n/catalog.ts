/**
 * The app's one message catalog, modelled on excalidraw's i18n: keys are
 * typed from the zh-CN tables, English second, a missing English message
 * falls back to zh-CN. The core tables (src/i18n/messages, the shell and the
 * checker) are in the first-paint bundle; each feature namespace below is its
 * own chunk, fetched by dynamic import when a screen that reads it opens
 * (useT('bench') suspends until then; the routes start the fetch beside the
 * screen's code). Add a namespace: src/i18n/<name>.messages.ts and one
 * loader line here.
 */
import type { Locale } from '../domain/config/types';
import { messages as core } from './messages';
import { lookup, type MessageParams } from './translate';

const loaders = {
  bench: () => import('./bench.messages').then((m) => m.benchMessages),
  selftest: () => import('./selftest.messages').then((m) => m.selftestMessages),
  library: () => import('./library.messages').then((m) => m.libraryMessages),
  formulary: () => import('./formulary.messages').then((m) => m.formularyMessages),
  models: () => import('./models.messages').then((m) => m.modelsMessages),
};

export type NamespaceName = keyof typeof loaders;
export const NAMESPACES = Object.keys(loaders) as NamespaceName[];

type NamespaceTables<N extends NamespaceName> = Awaited<ReturnType<(typeof loaders)[N]>>;
/** The keys of the always-loaded tables. */
export type CoreKey = keyof (typeof core)['zh-CN'];
/** The keys of feature namespaces `N` (never for never). */
export type NamespaceKey<N extends NamespaceName> = N extends NamespaceName ? keyof NamespaceTables<N>['zh-CN'] : never;
/** Every key of the app. */
export type MessageKey = CoreKey | NamespaceKey<NamespaceName>;

/** A `t` that accepts the core keys plus those of namespaces `N`. */
export type TFunction<K extends string = CoreKey> = (key: K, params?: MessageParams) => string;
export type Translate<N extends NamespaceName = never> = TFunction<CoreKey | NamespaceKey<N>>;

const tables: Record<Locale, Record<string, string>> = { 'zh-CN': { ...core['zh-CN'] }, en: { ...core.en } };
const loaded = new Set<NamespaceName>();
/** React's `use` reads `status` on a promise it has seen settle; setting it here lets a loaded namespace render without suspending. */
type Tracked = Promise<void> & { status?: 'fulfilled'; value?: undefined };
const pending = new Map<NamespaceName, Tracked>();

/** A namespace's own tables, fetched (for the key-parity test; screens use loadNamespace). */
export function namespaceMessages<N extends NamespaceName>(name: N): Promise<NamespaceTables<N>> {
  return loaders[name]() as Promise<NamespaceTables<N>>;
}

export function isLoaded(name: NamespaceName): boolean {
  return loaded.has(name);
}

/** Fetches a namespace once (the same promise for every caller, then and later); a failed fetch can be retried. */
export function loadNamespace(name: NamespaceName): Promise<void> {
  let promise = pending.get(name);
  if (!promise) {
    const tracked: Tracked = loaders[name]().then(
      (ns) => {
        Object.assign(tables['zh-CN'], ns['zh-CN']);
        Object.assign(tables.en, ns.en);
        loaded.add(name);
        tracked.status = 'fulfilled';
      },
      (error: unknown) => {
        pending.delete(name);
        throw error;
      },
    );
    promise = tracked;
    pending.set(name, promise);
  }
  return promise;
}

export function loadNamespaces(...names: readonly NamespaceName[]): Promise<void> {
  return Promise.all(names.map(loadNamespace)).then(() => undefined);
}

/** Starts a screen's namespaces beside its code, for React.lazy: no fetch waterfall on first open. */
export function withNamespaces<T>(code: Promise<T>, ...names: readonly NamespaceName[]): Promise<T> {
  return Promise.all([code, loadNamespaces(...names)]).then(([module]) => module);
}

/** Looks up `key` in `locale` among the loaded tables (zh-CN when the locale lacks it) and fills its parameters. */
export function translateLoaded(locale: Locale, key: MessageKey, params?: MessageParams): string {
  return lookup(tables, locale, key, params);
}

/** For code outside React with a locale of its own (report export): the core keys, always loaded. */
export function translate(locale: Locale, key: CoreKey, params?: MessageParams): string {
  return lookup(tables, locale, key, params);
}
