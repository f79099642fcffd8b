/** Installed (and incomplete) models with their sizes; remove one, resume, or check integrity. */
import { modelLabel } from '../../../domain/catalog/catalog';
import { useCatalog } from '../../../stores/catalog-store';
import { useT } from '../../../i18n';
import { useLocaleStore } from '../../../i18n';
import type { ModelInstallRecord } from '../../../storage/models-repo';
import { formatBytes } from '../format';
import { removeModel, resumeInstall, verifyModel } from '../install-service';
import { useModelsStore } from '../models-store';

const BADGE = { installed: 'models.badge.installed', partial: 'models.badge.partial', installing: 'models.badge.partial', failed: 'models.badge.failed' } as const;

function recordBytes(r: ModelInstallRecord): number {
  return r.files.reduce((s, f) => s + (f.size ?? 0), 0);
}

export function InstalledList() {
  const t = useT('models');
  const locale = useLocaleStore((s) => s.locale);
  const records = useModelsStore((s) => s.records);
  const active = useModelsStore((s) => s.active);
  const catalog = useCatalog();
  return (
    <section className="panel" aria-labelledby="installed-title" id="models-installed">
      <h2 id="installed-title">{t('models.installed.title')}</h2>
      {records.length === 0 ? <p className="muted">{t('models.installed.empty')}</p> : null}
      <ul className="model-list">
        {records.map((r) => (
          <li key={r.id} data-testid="installed-model" data-record-id={r.id} data-state={r.state}>
            <strong title={r.modelId}>{modelLabel(catalog, r.modelId, locale === 'en' ? 'en' : 'zh')}</strong> <span className="muted">({r.engine}, {r.dtype})</span>{' '}
            <span className={`badge badge-${r.state}`}>{t(BADGE[r.state])}</span>
            <div className="muted">
              {t('models.installed.size', { size: formatBytes(recordBytes(r), locale), files: r.files.length })} · {t(r.origin === 'import' ? 'models.installed.origin.import' : 'models.installed.origin.download')}
            </div>
            <div className="button-row">
              {r.state !== 'installed' && r.origin === 'download' ? (
                <button type="button" disabled={!!active} onClick={() => void resumeInstall(r)}>
                  {t('models.action.resume')}
                </button>
              ) : null}
              {r.state === 'installed' ? (
                <button type="button" disabled={!!active} onClick={() => void verifyModel(r.id)}>
                  {t('models.action.verify')}
                </button>
              ) : null}
              <button type="button" disabled={active?.recordId === r.id} onClick={() => void removeModel(r.id)} aria-label={`${t('models.action.remove')} ${r.modelId} ${r.dtype}`}>
                {r.state === 'installed' ? t('models.action.remove') : t('models.action.removePartial')}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
