import { MedfactError } from '../../src/protocol/errors';

/**
 * Wraps fetch so that, for a mirror-only source, a model library can only
 * reach the configured hosts. Anything else is refused before a request is
 * made (privacy: nothing leaves the device except model downloads from the
 * configured source).
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Normalises a base URL so prefix checks cannot be fooled by `https://mirror.example.evil`. */
export function normaliseBase(url: string): string {
  const u = new URL(url);
  const path = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
  return `${u.origin}${path}`;
}

export function isAllowedUrl(url: string, allowedBases: readonly string[]): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  // blob: and data: URLs are local (transformers.js loads the ort factory from a blob).
  if (target.protocol === 'blob:' || target.protocol === 'data:') return true;
  const full = `${target.origin}${target.pathname}`;
  return allowedBases.some((base) => full.startsWith(base) || `${full}/` === base);
}

/**
 * The fetch each wrapper made here wraps. A model library's fetch is one
 * setting per realm (transformers.js `env.fetch`), so an engine that starts
 * after another one in the same worker or process finds the first engine's
 * guard installed; it must wrap the library's own fetch, not that guard, or it
 * can only reach the first engine's mirror (a changed mirror address was
 * refused as "only allows its model mirror").
 */
const innerOf = new WeakMap<FetchLike, FetchLike>();

/** Records that `wrapper` forwards to `inner` (see originalFetch). */
export function wrapsFetch(wrapper: FetchLike, inner: FetchLike): FetchLike {
  innerOf.set(wrapper, inner);
  return wrapper;
}

/** The fetch under every wrapper recorded by wrapsFetch (itself when it wraps nothing). */
export function originalFetch(fetch: FetchLike): FetchLike {
  let f = fetch;
  for (let inner = innerOf.get(f); inner; inner = innerOf.get(f)) f = inner;
  return f;
}

export function createGuardedFetch(allowedBases: readonly string[], baseFetch: FetchLike): FetchLike {
  const bases = allowedBases.map(normaliseBase);
  return wrapsFetch((input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!isAllowedUrl(url, bases)) {
      return Promise.reject(
        new MedfactError(
          'DOWNLOAD_FORBIDDEN',
          `Refused to download from ${safeOrigin(url)}: this deployment only allows its model mirror. Check the model source in the settings.`,
          { origin: safeOrigin(url) },
        ),
      );
    }
    return baseFetch(input, init);
  }, baseFetch);
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}
