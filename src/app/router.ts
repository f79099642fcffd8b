/**
 * A tiny hash router: `#/settings` → `settings`. Hash URLs keep deep links
 * working offline and on any static host without server rewrites.
 */
import { useSyncExternalStore } from 'react';

function readPath(): string {
  return decodeURIComponent(location.hash.replace(/^#\/?/, '')).split('?')[0] ?? '';
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useHashPath(): string {
  return useSyncExternalStore(subscribe, readPath, () => '');
}

export function hrefFor(path: string): string {
  return `#/${path}`;
}

export function navigate(path: string, { replace = false } = {}): void {
  if (replace) history.replaceState(history.state, '', hrefFor(path));
  else location.hash = hrefFor(path);
  if (replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
}
