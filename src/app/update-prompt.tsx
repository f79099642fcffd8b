import { useEffect } from 'react';
import { useAppStore } from '../stores/app-store';
import { useT } from '../i18n';

/** "有新版本，重新加载": the waiting service worker takes over only when the user agrees. */
export function UpdatePrompt() {
  const t = useT();
  const updateAvailable = useAppStore((s) => s.updateAvailable);
  const applyUpdate = useAppStore((s) => s.applyUpdate);
  const dismiss = useAppStore((s) => s.dismissUpdate);
  if (!updateAvailable || !applyUpdate) return null;
  return (
    <div className="toast" role="status" aria-live="polite">
      <span>{t('update.available')}</span>
      <button type="button" className="primary" onClick={applyUpdate}>
        {t('update.reload')}
      </button>
      <button type="button" onClick={dismiss}>
        {t('update.later')}
      </button>
    </div>
  );
}

/** How long the "ready for offline use" note stays before it goes away by itself. */
export const OFFLINE_NOTE_MS = 8_000;

/**
 * A short note the first time the app shell is cached. It sits in the header,
 * in the page's flow (never floating over a finding card), and goes away by
 * itself; it can also be closed at once.
 */
export function OfflineReadyNote() {
  const t = useT();
  const offlineReady = useAppStore((s) => s.offlineReady);
  const setOfflineReady = useAppStore((s) => s.setOfflineReady);
  useEffect(() => {
    if (!offlineReady) return undefined;
    const timer = setTimeout(() => setOfflineReady(false), OFFLINE_NOTE_MS);
    return () => clearTimeout(timer);
  }, [offlineReady, setOfflineReady]);
  if (!offlineReady) return null;
  return (
    <div className="header-note" role="status" aria-live="polite" data-testid="offline-ready-note">
      <span>{t('offline.ready')}</span>
      <button type="button" className="link-button" onClick={() => setOfflineReady(false)}>
        {t('dismiss')}
      </button>
    </div>
  );
}
