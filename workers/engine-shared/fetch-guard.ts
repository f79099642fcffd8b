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

export function createGuardedFetch(allowedBases: readonly string[], baseFetch: FetchLike): FetchLike {
  const bases = allowedBases.map(normaliseBase);
  return (input, init) => {
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
  };
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}
