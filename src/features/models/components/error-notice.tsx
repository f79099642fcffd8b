/** Shows the last typed error in the user's language with the remedy as buttons. */
import { useT } from '../../../i18n';
import { useLocaleStore } from '../../../i18n';
import { REMEDY_BY_CODE } from '../../../protocol/errors';
import { formatBytes } from '../format';
import { removeModel, resumeInstall, verifyModel } from '../install-service';
import { useModelsStore } from '../models-store';
import { usePick } from '../../../stores/use-pick';

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function ErrorNotice({ onFreeStorage }: { onFreeStorage: () => void }) {
  const t = useT('models');
  const locale = useLocaleStore((s) => s.locale);
  const { notice, records, setNotice } = usePick(useModelsStore, 'notice', 'records', 'setNotice');
  if (!notice) return null;
  const { error } = notice;
  const remedy = REMEDY_BY_CODE[error.code];
  const record = notice.recordId ? records.find((r) => r.id === notice.recordId) : undefined;
  const d = error.details ?? {};
  const file = typeof d['file'] === 'string' ? d['file'] : null;
  return (
    <section className="panel panel-warning" role="alert" data-testid="models-error" data-code={error.code} aria-labelledby="models-error-title">
      <h2 id="models-error-title">{t('models.error.title')}</h2>
      <p>{t(`error.${error.code}`)}</p>
      {error.code === 'QUOTA_EXCEEDED' && num(d['required']) !== null ? (
        <p>
          {t('models.error.quotaDetail', {
            required: formatBytes(num(d['required']), locale),
            available: formatBytes(num(d['available']), locale),
            usage: formatBytes(num(d['usage']), locale),
            quota: formatBytes(num(d['quota']), locale),
          })}
        </p>
      ) : null}
      {file ? <p>{t('models.error.file', { file })}</p> : null}
      <details>
        <summary>{error.code}</summary>
        <p className="muted">{error.message}</p>
      </details>
      <div className="button-row">
        {remedy === 'free-storage' ? (
          <button type="button" onClick={onFreeStorage}>
            {t('models.action.freeStorage')}
          </button>
        ) : null}
        {record && record.state !== 'installed' && (remedy === 'resume-or-remove' || remedy === 'reinstall') && record.origin === 'download' ? (
          <button type="button" onClick={() => void resumeInstall(record)}>
            {remedy === 'reinstall' ? t('models.action.reinstall') : t('models.action.resume')}
          </button>
        ) : null}
        {record && record.state !== 'installed' ? (
          <button type="button" onClick={() => void removeModel(record.id).then(() => setNotice(null))}>
            {t('models.action.removePartial')}
          </button>
        ) : null}
        {record && remedy === 'reinstall' && record.state === 'installed' ? (
          <button type="button" onClick={() => void verifyModel(record.id)}>
            {t('models.action.verify')}
          </button>
        ) : null}
        <button type="button" onClick={() => setNotice(null)}>
          {t('dismiss')}
        </button>
      </div>
    </section>
  );
}
