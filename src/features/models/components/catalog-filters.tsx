/** The catalog's toolbar: text search, engine, role, and "only models that run on this device". */
import { useId } from 'react';
import { useT } from '../../../i18n';
import type { CatalogFilter, Engine, Role } from './catalog-rows';

export interface CatalogFiltersProps {
  value: CatalogFilter;
  onChange: (next: CatalogFilter) => void;
}

const ENGINES: readonly Engine[] = ['webllm', 'transformers'];
const ROLES: readonly Role[] = ['verifier', 'reward', 'embedder'];

export function CatalogFilters({ value, onChange }: CatalogFiltersProps) {
  const t = useT('models');
  const id = useId();
  const set = (patch: Partial<CatalogFilter>): void => onChange({ ...value, ...patch });
  return (
    // role=search: a landmark screen-reader users can jump to; Enter must not reload the page
    <form role="search" aria-label={t('models.catalog.filter.label')} className="catalog-filters" onSubmit={(e) => e.preventDefault()}>
      <div className="catalog-field catalog-field-text">
        <label htmlFor={`${id}-text`}>{t('models.catalog.filter.text')}</label>
        <input
          id={`${id}-text`}
          type="search"
          value={value.text}
          placeholder={t('models.catalog.filter.textHint')}
          onChange={(e) => set({ text: e.currentTarget.value })}
          data-testid="catalog-search"
        />
      </div>
      <div className="catalog-field">
        <label htmlFor={`${id}-engine`}>{t('models.catalog.col.engine')}</label>
        <select id={`${id}-engine`} value={value.engine} onChange={(e) => set({ engine: e.currentTarget.value as CatalogFilter['engine'] })} data-testid="catalog-engine">
          <option value="all">{t('models.catalog.filter.all')}</option>
          {ENGINES.map((e) => (
            <option key={e} value={e}>
              {t(`models.catalog.engine.${e}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="catalog-field">
        <label htmlFor={`${id}-role`}>{t('models.catalog.col.role')}</label>
        <select id={`${id}-role`} value={value.role} onChange={(e) => set({ role: e.currentTarget.value as CatalogFilter['role'] })} data-testid="catalog-role">
          <option value="all">{t('models.catalog.filter.all')}</option>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`models.catalog.role.${r}`)}
            </option>
          ))}
        </select>
      </div>
      <label className="catalog-check">
        <input type="checkbox" checked={value.runnableOnly} onChange={(e) => set({ runnableOnly: e.currentTarget.checked })} data-testid="catalog-runnable" />
        {t('models.catalog.filter.runnable')}
      </label>
    </form>
  );
}
