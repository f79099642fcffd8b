/**
 * Service-worker registration with an explicit update prompt: a new version
 * waits until the user presses "重新加载 / Reload" (registerType 'prompt').
 */
import { useAppStore } from '../stores/app-store';

export async function registerServiceWorker(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
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
