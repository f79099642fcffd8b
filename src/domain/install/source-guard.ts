/**
 * Mirror-only deployments (an air-gapped hospital) must never reach a host
 * other than the configured mirror: every URL is checked before a request.
 */
import { MedfactError } from '../../protocol/errors';
import type { ModelSource } from '../../protocol/engine';

/** `https://m.example/models` → `https://m.example/models/` so a prefix check cannot match `models-evil`. */
export function normaliseBaseUrl(url: string): string {
  const u = new URL(url);
  const path = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
  return `${u.origin}${path}`;
}

export function allowedBases(source: ModelSource): string[] {
  const bases: string[] = [];
  for (const b of [source.hubHost, source.libHost]) {
    if (!b) continue;
    try {
      bases.push(normaliseBaseUrl(b));
    } catch {
      // an invalid base allows nothing
    }
  }
  return bases;
}

export function isUrlAllowed(url: string, source: ModelSource): boolean {
  if (!source.mirrorOnly) return true;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  const full = `${target.origin}${target.pathname}`;
  return allowedBases(source).some((base) => full.startsWith(base));
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}

/** Throws DOWNLOAD_FORBIDDEN for a URL outside the configured mirror in mirror-only mode. */
export function assertUrlAllowed(url: string, source: ModelSource): void {
  if (isUrlAllowed(url, source)) return;
  throw new MedfactError(
    'DOWNLOAD_FORBIDDEN',
    `Refused to download from ${originOf(url)}: this deployment only allows its configured model mirror. Check the model source settings.`,
    { origin: originOf(url), allowed: allowedBases(source) },
  );
}
