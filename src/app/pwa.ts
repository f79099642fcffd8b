/**
 * Service-worker registration with an explicit update prompt: a new version
 * waits until the user presses "重新加载 / Reload" (registerType 'prompt').
 */
import { CONFIG_FILE_NAME } from '../domain/config/types';
import { useAppStore } from '../stores/app-store';

/**
 * On the very first visit app-config.json was fetched before the service
 * worker existed; fetch it once more through the worker so that an offline
 * start still finds the last copy (or its 404).
 */
function warmConfigCacheOnFirstControl(): void {
  if (navigator.serviceWorker.controller) return;
  navigator.serviceWorker.addEventListener(
    'controllerchange',
    () => {
      void fetch(`./${CONFIG_FILE_NAME}`, { cache: 'no-cache', credentials: 'same-origin' }).catch(() => undefined);
    },
    { once: true },
  );
}

export async function registerServiceWorker(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  warmConfigCacheOnFirstControl();
  // Imported lazily: the registration helper stays out of the first-paint chunk.
  const { registerSW } = await import('virtual:pwa-register');
  const updateSW = registerSW({
    immediate: true,
    onNeedRefresh() {
      useAppStore.getState().setUpdateAvailable(() => void updateSW(true));
    },
    onOfflineReady() {
      useAppStore.getState().setOfflineReady(true);
    },
    onRegisterError(error: unknown) {
      console.warn('medfact-lens: service worker registration failed; the app works but not offline.', error instanceof Error ? error.name : error);
    },
  });
}
