/**
 * Start-up services, run once after the first render: read app-config.json,
 * check it against the CSP the page runs under, restore and persist the
 * language in IndexedDB, follow connectivity, register the service worker.
 */
import { hostsBlockedByCsp } from '../domain/config/csp';
import { loadAppConfig } from '../domain/config/load-app-config';
import type { AppConfig } from '../domain/config/types';
import { useLocaleStore } from '../i18n';
import { toMedfactError } from '../protocol/errors';
import { settingsRepo, type SettingsRepo } from '../storage/settings-repo';
import { useAppStore, type CspStatus } from '../stores/app-store';
import { registerServiceWorker } from './pwa';

export function readCspMeta(doc: Document = document): string | null {
  return doc.querySelector<HTMLMetaElement>('meta[http-equiv="Content-Security-Policy" i]')?.content ?? null;
}

export function checkCsp(config: AppConfig, policy: string | null, selfOrigin: string): CspStatus {
  if (policy === null) return { state: 'missing' };
  const hosts = hostsBlockedByCsp(config, policy, selfOrigin);
  return hosts.length > 0 ? { state: 'blocked', hosts } : { state: 'ok' };
}

function followConnectivity(): void {
  const update = () => useAppStore.getState().setOnline(navigator.onLine);
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
  update();
}

async function syncLocale(repo: SettingsRepo, config: AppConfig): Promise<void> {
  const app = useAppStore.getState();
  const locale = useLocaleStore.getState();
  try {
    const saved = await repo.get('locale');
    if (saved) locale.setLocale(saved);
    else if (locale.chosen) await repo.set('locale', locale.locale);
    else if (config.locale) locale.applyDefault(config.locale);
  } catch (error) {
    app.setStorageError(toMedfactError(error).message);
  }
  // From now on every change is written to IndexedDB (the durable copy).
  useLocaleStore.subscribe((state, previous) => {
    if (state.locale === previous.locale || !state.chosen) return;
    repo.set('locale', state.locale).then(
      () => useAppStore.getState().setStorageError(null),
      (error: unknown) => useAppStore.getState().setStorageError(toMedfactError(error).message),
    );
  });
}

function followDocumentLanguage(): void {
  const apply = () => {
    document.documentElement.lang = useLocaleStore.getState().locale;
  };
  apply();
  useLocaleStore.subscribe(apply);
}

export async function bootstrap(repo: SettingsRepo = settingsRepo): Promise<void> {
  followDocumentLanguage();
  followConnectivity();
  const loaded = await loadAppConfig();
  useAppStore.getState().setConfig(loaded);
  useAppStore.getState().setCsp(checkCsp(loaded.config, readCspMeta(), location.origin));
  await syncLocale(repo, loaded.config);
  if (import.meta.env.PROD) await registerServiceWorker();
  await startModels();
}

/**
 * Loads the installed models in the background (code split: the catalog,
 * installer and worker client stay out of the first paint).
 */
async function startModels(): Promise<void> {
  const [{ startModelSession }, { refreshModels }] = await Promise.all([
    import('./model-session'),
    import('../features/models/install-service'),
  ]);
  await startModelSession();
  await refreshModels();
}
