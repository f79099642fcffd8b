/**
 * What model-download code asks before fetching: is this URL allowed under
 * the deployment configuration? With `mirrorOnly`, only the configured model
 * host and model-library host (and the hub's own CDN when the host is the hub).
 */
import { MedfactError } from '../../protocol/errors';
import type { ModelSource } from '../../protocol/engine';
import { cspAllowsConnect, modelConnectSources } from './csp';
import type { AppConfig } from './types';

export function toModelSource(config: AppConfig): ModelSource {
  return { hubHost: config.modelHost, libHost: config.modelLibHost, mirrorOnly: config.mirrorOnly };
}

export function isDownloadAllowed(url: string, config: AppConfig): boolean {
  if (!config.mirrorOnly) return true;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  // Reuse the CSP matcher: the allowed set is exactly the configured model hosts.
  const policy = `connect-src ${modelConnectSources(config).join(' ') || "'none'"}`;
  return cspAllowsConnect(policy, target.href, 'null');
}

export function assertDownloadAllowed(url: string, config: AppConfig): void {
  if (!isDownloadAllowed(url, config)) {
    let host = url;
    try {
      host = new URL(url).origin;
    } catch {
      /* keep the raw text */
    }
    throw new MedfactError(
      'DOWNLOAD_FORBIDDEN',
      `Downloads are limited to the configured mirror (${config.modelHost}); ${host} is not allowed. Ask IT to add it to app-config.json or turn off mirrorOnly.`,
      { host },
    );
  }
}
