/**
 * Reads the optional app-config.json beside index.html at start-up. Never
 * throws: whatever happens, the app starts, with defaults where needed.
 */
import { CONFIG_FILE_NAME, DEFAULT_APP_CONFIG, type AppConfig, type ConfigIssue } from './types';

export interface LoadedAppConfig {
  config: AppConfig;
  issues: ConfigIssue[];
  source: 'file' | 'defaults';
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

function defaultsWith(issues: ConfigIssue[]): LoadedAppConfig {
  return { config: { ...DEFAULT_APP_CONFIG, catalog: [] }, issues, source: 'defaults' };
}

export async function loadAppConfig(fetchImpl: FetchLike = (input, init) => fetch(input, init), url = `./${CONFIG_FILE_NAME}`): Promise<LoadedAppConfig> {
  let response: Response;
  try {
    // no-cache: revalidate with the server; the service worker falls back to its copy offline
    response = await fetchImpl(url, { cache: 'no-cache', credentials: 'same-origin' });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return defaultsWith([{ path: CONFIG_FILE_NAME, kind: 'unreadable', message: `Could not be fetched (${detail}); using defaults.` }]);
  }
  if (response.status === 404) return defaultsWith([]);
  if (!response.ok) {
    return defaultsWith([{ path: CONFIG_FILE_NAME, kind: 'unreadable', message: `The server answered HTTP ${response.status}; using defaults.` }]);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return defaultsWith([{ path: CONFIG_FILE_NAME, kind: 'unreadable', message: `Could not be read (${detail}); using defaults.` }]);
  }
  // Static hosts with an SPA fallback answer a missing file with index.html.
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('text/html') || /^\s*<(!doctype|html)/i.test(text)) return defaultsWith([]);
  // The validator (zod) loads only when there is a file to validate.
  const { parseAppConfigText } = await import('./validate');
  const { config, issues } = parseAppConfigText(text);
  return { config, issues, source: 'file' };
}
