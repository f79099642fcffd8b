/**
 * One catalog model as a table row: name and badges (with the description on
 * demand), engine, roles, build, download, GPU memory, whether it runs here
 * and why not, licence, and the install state or button.
 * Each cell carries a label that only the narrow (card) layout shows; it is
 * aria-hidden because the column header already names the cell.
 */
import { useId, useState, type ReactNode } from 'react';
import type { Translate } from '../../../i18n';
import type { Capabilities } from '../../../protocol/capabilities';
import type { ModelSource } from '../../../protocol/engine';
import { installRecordId } from '../../../domain/install/cache-layout';
import { formatBytes } from '../format';
import { startInstall, targetFor } from '../install-service';
import { useModelsStore } from '../models-store';
import type { CatalogRow as Row } from './catalog-rows';

/** Columns of the catalog table (the details row spans them all). */
export const COLUMNS = 9;

export const ENGINE_NAMES = { webllm: 'WebLLM', transformers: 'transformers.js' } as const;

export interface CatalogRowProps {
  row: Row;
  caps: Capabilities | null;
  source: ModelSource;
  lang: 'zh' | 'en';
  locale: string;
  t: Translate<'models'>;
}

function Cell({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <td role="cell" className={className}>
      <span className="cell-label" aria-hidden="true">
        {label}
      </span>
      <span className="cell-value">{children}</span>
    </td>
  );
}

function recommendedKey(row: Row) {
  if (row.recommendedFor.length === 2) return 'models.badge.recommended.both' as const;
  return row.recommendedFor[0] === 'reward' ? ('models.badge.recommended.reward' as const) : ('models.badge.recommended.verifier' as const);
}

function RunsCell({ row, t }: { row: Row; t: Translate<'models'> }) {
  const r = row.runs;
  if (r.kind === 'unknown') return <span className="runs runs-unknown">{t('models.catalog.runs.unknown')}</span>;
  if (r.kind === 'no') {
    return (
      <span className="runs runs-no">
        <span aria-hidden="true">✕ </span>
        {t(`models.catalog.runs.${r.reason}`)}
      </span>
    );
  }
  return (
    <span className={r.warning ? 'runs runs-warn' : 'runs runs-yes'}>
      <span aria-hidden="true">{r.warning ? '⚠ ' : '✓ '}</span>
      {t(r.device === 'webgpu' ? 'models.catalog.runs.webgpu' : 'models.catalog.runs.wasm')}
      {r.warning ? <span className="runs-note">{t(r.warning === 'memory' ? 'models.catalog.runs.memory' : 'models.catalog.runs.softwareGpu')}</span> : null}
    </span>
  );
}

export function CatalogRow({ row, caps, source, lang, locale, t }: CatalogRowProps) {
  const records = useModelsStore((s) => s.records);
  const active = useModelsStore((s) => s.active);
  const { entry } = row;
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const target = targetFor(entry, caps, source);
  const recordId = target ? installRecordId(target) : null;
  const record = recordId ? records.find((r) => r.id === recordId) : undefined;
  const name = entry.label[lang];
  const size = formatBytes(row.downloadBytes, locale);
  const onGpu = row.runs.kind === 'yes' ? row.runs.device === 'webgpu' : entry.engine === 'webllm' || row.runs.kind === 'unknown';
  const classes = ['catalog-row', open ? 'is-expanded' : '', row.recommendedFor.length > 0 ? 'is-recommended' : '', row.runs.kind === 'no' ? 'is-unavailable' : ''].filter(Boolean).join(' ');

  let status: ReactNode;
  if (record?.state === 'installed') {
    status = (
      <span className="badge badge-installed">
        <span aria-hidden="true">✓ </span>
        {t('models.badge.installed')}
      </span>
    );
  } else if (recordId !== null && active?.recordId === recordId) {
    status = <span className="badge badge-installing">{t('models.badge.installing')}</span>;
  } else {
    status = (
      <>
        {record ? <span className="badge badge-partial">{t('models.badge.partial')}</span> : null}
        <button
          type="button"
          className={row.recommendedFor.length > 0 ? 'primary' : undefined}
          disabled={!target || !!active}
          onClick={() => target && void startInstall(target, entry.id)}
          aria-label={`${t('models.action.install')} ${name}`}
          data-testid="install-button"
        >
          {t('models.action.install')}
        </button>
      </>
    );
  }

  return (
    <>
      <tr
        role="row"
        className={classes}
        data-testid="catalog-entry"
        data-model-id={entry.id}
        data-engine={entry.engine}
        data-runs={row.runs.kind}
        data-recommended={row.recommendedFor.join(' ') || undefined}
      >
        <th scope="row" role="rowheader" className="cell-model">
          <span className="model-name">{name}</span>
          {row.recommendedFor.length > 0 || row.pinned ? (
            <span className="model-badges">
              {row.recommendedFor.length > 0 ? (
                <span className="badge badge-recommended" data-testid="catalog-recommended">
                  <span aria-hidden="true">★ </span>
                  {t(recommendedKey(row))}
                </span>
              ) : null}
              {row.pinned ? <span className="badge badge-pinned">{t(row.pinned === 'config' ? 'models.badge.config' : 'models.badge.custom')}</span> : null}
            </span>
          ) : null}
          <button type="button" className="details-toggle" aria-expanded={open} aria-controls={open ? detailsId : undefined} onClick={() => setOpen(!open)}>
            <span aria-hidden="true">{open ? '▾' : '▸'}</span>
            {t('models.catalog.details')}
            <span className="visually-hidden">{`${lang === 'zh' ? '：' : ': '}${name}`}</span>
          </button>
        </th>
        <Cell label={t('models.catalog.col.engine')} className="nowrap">{ENGINE_NAMES[entry.engine]}</Cell>
        <Cell label={t('models.catalog.col.role')} className="nowrap">{row.roles.map((r) => t(`models.catalog.role.${r}`)).join(lang === 'zh' ? '、' : ', ')}</Cell>
        <Cell label={t('models.catalog.col.dtype')} className="nowrap">
          <code>{row.dtype}</code>
        </Cell>
        <Cell label={t('models.catalog.col.size')} className="num nowrap">
          {entry.sizeApproximate ? t('models.catalog.approx', { size }) : size}
        </Cell>
        <Cell label={t('models.catalog.col.gpu')} className="num nowrap">
          {!onGpu ? <span className="muted">{t('models.catalog.gpuNotNeeded')}</span> : entry.gpuMemoryMB ? formatBytes(entry.gpuMemoryMB * 1024 * 1024, locale) : '—'}
        </Cell>
        <Cell label={t('models.catalog.col.runs')}>
          <RunsCell row={row} t={t} />
        </Cell>
        <Cell label={t('models.catalog.license')} className="nowrap">{entry.license ?? '—'}</Cell>
        <Cell label={t('models.catalog.col.status')} className="cell-status">
          {status}
        </Cell>
      </tr>
      {/* On demand, under the row and as wide as the table: the description and the technical facts. */}
      {open ? (
        <tr role="row" className="catalog-details-row" id={detailsId} data-testid="catalog-details">
          <td role="cell" colSpan={COLUMNS}>
            <p>{entry.description[lang]}</p>
            <dl className="model-facts">
              <dt>{t('models.catalog.id')}</dt>
              <dd>
                <code>{entry.id}</code>
              </dd>
              <dt>{t('models.catalog.offered')}</dt>
              <dd>{entry.dtypes.join(', ')}</dd>
              <dt>{t('models.catalog.features')}</dt>
              <dd>{entry.requiredFeatures?.length ? entry.requiredFeatures.join(', ') : t('models.catalog.none')}</dd>
              {entry.contextTokens ? (
                <>
                  <dt>{t('models.catalog.context')}</dt>
                  <dd>{t('models.catalog.contextTokens', { count: entry.contextTokens.toLocaleString(locale) })}</dd>
                </>
              ) : null}
            </dl>
          </td>
        </tr>
      ) : null}
    </>
  );
}
