/** Catalog of both engines with size, GPU memory, features, licence and badges; install per entry. */
import { useT } from '../../../i18n/use-t';
import { useLocaleStore } from '../../../i18n/locale-store';
import type { CatalogModel } from '../../../catalog/schema';
import type { Capabilities } from '../../../protocol/capabilities';
import type { ModelSource } from '../../../protocol/engine';
import { installRecordId } from '../../../models-install/cache-layout';
import { formatBytes } from '../format';
import { startInstall, targetFor } from '../install-service';
import { useModelsStore } from '../models-store';

export interface CatalogListProps {
  entries: readonly CatalogModel[];
  caps: Capabilities | null;
  source: ModelSource;
  recommended: ReadonlySet<string>;
}

export function CatalogList({ entries, caps, source, recommended }: CatalogListProps) {
  const t = useT();
  const locale = useLocaleStore((s) => s.locale);
  const records = useModelsStore((s) => s.records);
  const active = useModelsStore((s) => s.active);
  const lang = locale === 'en' ? 'en' : 'zh';
  return (
    <section className="panel" aria-labelledby="catalog-title">
      <h2 id="catalog-title">{t('models.catalog.title')}</h2>
      {(['transformers', 'webllm'] as const).map((engine) => {
        const list = entries.filter((e) => e.engine === engine);
        if (list.length === 0) return null;
        return (
          <div key={engine}>
            <h3>{t(`models.catalog.engine.${engine}`)}</h3>
            <ul className="model-list">
              {list.map((entry) => {
                const target = targetFor(entry, caps, source);
                const record = target ? records.find((r) => r.id === installRecordId(target)) : undefined;
                const name = entry.label[lang];
                return (
                  <li key={`${entry.engine}:${entry.id}`} data-testid="catalog-entry" data-model-id={entry.id}>
                    <strong>{name}</strong> <code>{entry.id}</code>{' '}
                    {recommended.has(entry.id) ? <span className="badge badge-recommended">{t('models.badge.recommended')}</span> : null}
                    {record?.state === 'installed' ? <span className="badge badge-installed">{t('models.badge.installed')}</span> : null}
                    {record && record.state !== 'installed' ? <span className="badge badge-partial">{t('models.badge.partial')}</span> : null}
                    {!target ? <span className="badge badge-unsupported">{t('models.badge.unsupported')}</span> : null}
                    <p>{entry.description[lang]}</p>
                    <dl className="facts">
                      <dt>{t('models.catalog.size')}</dt>
                      <dd>{formatBytes(entry.sizeBytesByDtype?.[target?.dtype ?? entry.dtypes[0] ?? 'q4'] ?? entry.sizeBytes, locale)}</dd>
                      <dt>{t('models.catalog.dtype')}</dt>
                      <dd>{target?.dtype ?? entry.dtypes.join(', ')}</dd>
                      {entry.gpuMemoryMB ? (
                        <>
                          <dt>{t('models.catalog.gpu')}</dt>
                          <dd>{formatBytes(entry.gpuMemoryMB * 1024 * 1024, locale)}</dd>
                        </>
                      ) : null}
                      <dt>{t('models.catalog.features')}</dt>
                      <dd>{entry.requiredFeatures?.length ? entry.requiredFeatures.join(', ') : t('models.catalog.none')}</dd>
                      {entry.license ? (
                        <>
                          <dt>{t('models.catalog.license')}</dt>
                          <dd>{entry.license}</dd>
                        </>
                      ) : null}
                    </dl>
                    <button
                      type="button"
                      disabled={!target || !!active || record?.state === 'installed'}
                      onClick={() => target && void startInstall(target, entry.id)}
                      aria-label={`${t('models.action.install')} ${name}`}
                      data-testid="install-button"
                    >
                      {t('models.action.install')}
                    </button>
                  </li>
                );
              })}
            </ul>
          </div>
        );
      })}
    </section>
  );
}
