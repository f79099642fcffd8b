/** Storage use bar, persistence note, and clear-all with an inline confirmation. */
import { useState } from 'react';
import { useT } from '../../../i18n';
import { useLocaleStore } from '../../../i18n';
import { formatBytes } from '../format';
import { clearAllModels } from '../install-service';
import { useModelsStore } from '../models-store';
import { LibraryStorageLine } from './library-storage';

export function StoragePanel() {
  const t = useT('models');
  const locale = useLocaleStore((s) => s.locale);
  const { usage, quota, persisted, records, active } = useModelsStore();
  const [confirming, setConfirming] = useState(false);
  const label = t('models.storage.title');
  return (
    <section className="panel" aria-labelledby="models-storage-title" id="models-storage">
      <h2 id="models-storage-title">{label}</h2>
      {usage !== null && quota !== null && quota > 0 ? (
        <>
          <progress max={quota} value={Math.min(usage, quota)} aria-label={label} aria-valuetext={t('models.storage.usage', { used: formatBytes(usage, locale), quota: formatBytes(quota, locale) })} />
          <p data-testid="storage-usage">{t('models.storage.usage', { used: formatBytes(usage, locale), quota: formatBytes(quota, locale) })}</p>
        </>
      ) : (
        <p className="muted">{t('models.storage.unknown')}</p>
      )}
      <LibraryStorageLine />
      {persisted !== null ? <p className="muted">{persisted ? t('models.storage.persisted') : t('models.storage.notPersisted')}</p> : null}
      {confirming ? (
        <div role="alertdialog" aria-labelledby="clear-all-question" className="button-row">
          <p id="clear-all-question">{t('models.clearAll.confirm')}</p>
          <button
            type="button"
            data-testid="confirm-clear-all"
            onClick={() => {
              setConfirming(false);
              void clearAllModels();
            }}
          >
            {t('models.action.clearAll')}
          </button>
          <button type="button" onClick={() => setConfirming(false)} autoFocus>
            {t('models.action.cancel')}
          </button>
        </div>
      ) : (
        <button type="button" onClick={() => setConfirming(true)} disabled={records.length === 0 || !!active}>
          {t('models.action.clearAll')}
        </button>
      )}
    </section>
  );
}
