/**
 * The model catalog as one compact table: the recommended model first and
 * marked, one row per download, filterable by text, engine and role, and by
 * default limited to models that run on this device. Entries the deployment
 * (app-config.json) or the user added are never hidden by that default.
 */
import { useMemo, useState } from 'react';
import { useT } from '../../../i18n';
import { useLocaleStore } from '../../../i18n';
import type { CatalogModel } from '../../../domain/catalog/schema';
import type { Capabilities } from '../../../protocol/capabilities';
import type { ModelSource } from '../../../protocol/engine';
import { CatalogFilters } from './catalog-filters';
import { CatalogRow } from './catalog-row';
import { buildCatalogRows, DEFAULT_FILTER, filterRows, type CatalogFilter } from './catalog-rows';

export interface CatalogListProps {
  /** every entry with its role; a later entry with the same engine, id and role replaces an earlier one */
  entries: readonly CatalogModel[];
  caps: Capabilities | null;
  source: ModelSource;
  recommendation: { verifier: CatalogModel; reward: CatalogModel } | null;
  /** `engine:id` of entries listed by app-config.json */
  configKeys: ReadonlySet<string>;
  /** `engine:id` of the user's custom entries */
  customKeys: ReadonlySet<string>;
}

export function CatalogList({ entries, caps, source, recommendation, configKeys, customKeys }: CatalogListProps) {
  const t = useT('models');
  const locale = useLocaleStore((s) => s.locale);
  const lang = locale === 'en' ? 'en' : 'zh';
  const [filter, setFilter] = useState<CatalogFilter>(DEFAULT_FILTER);
  const rows = useMemo(
    () => buildCatalogRows(entries, { caps, source, recommendation, configKeys, customKeys }),
    [entries, caps, source, recommendation, configKeys, customKeys],
  );
  const shown = filterRows(rows, filter);
  // how many the "runs here" filter alone hides, so the user knows to untick it
  const hidden = filter.runnableOnly ? filterRows(rows, { ...filter, runnableOnly: false }).length - shown.length : 0;
  const col = (key: Parameters<typeof t>[0], className?: string) => (
    <th scope="col" role="columnheader" className={className}>
      {t(key)}
    </th>
  );

  return (
    <section className="panel catalog" aria-labelledby="catalog-title">
      <h2 id="catalog-title">{t('models.catalog.title')}</h2>
      <CatalogFilters value={filter} onChange={setFilter} />
      <p className="catalog-count muted" role="status" data-testid="catalog-count">
        {t('models.catalog.count', { shown: shown.length, total: rows.length })}
        {hidden > 0 ? `${lang === 'zh' ? '；' : '; '}${t('models.catalog.hidden', { count: hidden })}` : null}
      </p>
      {/* Explicit roles: the narrow layout restyles the table as cards, which drops implicit table semantics in some browsers. */}
      {shown.length === 0 ? (
        <p className="catalog-empty">{t('models.catalog.empty')}</p>
      ) : (
        <table className="catalog-table" role="table" aria-labelledby="catalog-title">
          <thead role="rowgroup">
            <tr role="row">
              {col('models.catalog.col.model')}
              {col('models.catalog.col.engine')}
              {col('models.catalog.col.role')}
              {col('models.catalog.col.dtype')}
              {col('models.catalog.col.size', 'num')}
              {col('models.catalog.col.gpu', 'num')}
              {col('models.catalog.col.runs')}
              {col('models.catalog.license')}
              {col('models.catalog.col.status')}
            </tr>
          </thead>
          <tbody role="rowgroup">
            {shown.map((row) => (
              <CatalogRow key={row.key} row={row} caps={caps} source={source} lang={lang} locale={locale} t={t} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
