import { useAppStore } from '../stores/app-store';
import { useT } from '../i18n';

export function OfflineIndicator() {
  const t = useT();
  const online = useAppStore((s) => s.online);
  return (
    <div role="status" aria-live="polite" className="offline-slot">
      {online ? null : (
        <span className="badge badge-offline" title={t('offline.detail')}>
          <span aria-hidden="true">●</span> {t('offline.badge')}
          <span className="visually-hidden">: {t('offline.detail')}</span>
        </span>
      )}
    </div>
  );
}
