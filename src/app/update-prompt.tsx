import { useAppStore } from '../stores/app-store';
import { useT } from '../i18n/use-t';

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

/** A short note the first time the app shell is cached. */
export function OfflineReadyNote() {
  const t = useT();
  const offlineReady = useAppStore((s) => s.offlineReady);
  const setOfflineReady = useAppStore((s) => s.setOfflineReady);
  if (!offlineReady) return null;
  return (
    <div className="toast" role="status" aria-live="polite">
      <span>{t('offline.ready')}</span>
      <button type="button" onClick={() => setOfflineReady(false)}>
        {t('dismiss')}
      </button>
    </div>
  );
}
