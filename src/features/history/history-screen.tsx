/**
 * Past checks stored in this browser: search over texts and findings, open
 * one in the checker, delete one, delete all (after a confirmation).
 * Automation hooks: history-search, history-item, history-open,
 * history-delete, history-delete-all, history-confirm-delete-all.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { modelLabel } from '../../domain/catalog/catalog';
import { ERROR_TYPE_INFO } from '../../core/labels';
import { useCatalog } from '../../stores/catalog-store';
import { checkHref } from '../../ui/check-link';
import { thresholdView } from '../../core/check';
import { useLocaleStore, useT } from '../../i18n';
import { toMedfactError, type MedfactError } from '../../protocol/errors';
import { deleteAllChecks, deleteCheck, listChecks, type CheckRecord } from '../../storage/checks-repo';
import './history.css';

function preview(text: string, max = 120): string {
  const chars = Array.from(text.slice(0, max * 2));
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('');
}

export function HistoryScreen() {
  const t = useT();
  const locale = useLocaleStore((s) => s.locale);
  const catalog = useCatalog();
  const label = (id: string): string => modelLabel(catalog, id, locale === 'en' ? 'en' : 'zh');
  const [query, setQuery] = useState('');
  const [records, setRecords] = useState<CheckRecord[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<MedfactError | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [status, setStatus] = useState('');
  const searchId = useId();
  const generation = useRef(0);

  const refresh = useCallback(async (search: string) => {
    const mine = ++generation.current;
    try {
      const [matching, all] = await Promise.all([listChecks({ search }), search.trim() ? listChecks() : null]);
      if (mine !== generation.current) return;
      setRecords(matching);
      setTotal(all ? all.length : matching.length);
      setError(null);
    } catch (e) {
      if (mine === generation.current) setError(toMedfactError(e));
    }
  }, []);

  useEffect(() => {
    // A short pause so typing a search does not read the database on every key.
    const timer = setTimeout(() => void refresh(query), query ? 150 : 0);
    return () => clearTimeout(timer);
  }, [query, refresh]);

  const remove = async (id: string) => {
    try {
      await deleteCheck(id);
      setStatus(t('history.deleted'));
      await refresh(query);
    } catch (e) {
      setError(toMedfactError(e));
    }
  };

  const removeAll = async () => {
    try {
      await deleteAllChecks();
      setConfirming(false);
      setStatus(t('history.deletedAll'));
      await refresh(query);
    } catch (e) {
      setError(toMedfactError(e));
    }
  };

  const dateOf = (r: CheckRecord) => new Date(r.createdAt).toLocaleString(locale);

  return (
    <div className="history-screen">
      <div className="screen-header">
        <h1 tabIndex={-1}>{t('history.title')}</h1>
      </div>
      <p className="privacy-note">{t('history.privacy')}</p>
      <div className="field">
        <label htmlFor={searchId}>{t('history.search.label')}</label>{' '}
        <input
          id={searchId}
          type="search"
          data-testid="history-search"
          value={query}
          placeholder={t('history.search.placeholder')}
          onChange={(e) => setQuery(e.currentTarget.value)}
        />
      </div>
      {error && (
        <p className="notice notice-error" role="alert">
          {t('history.error', { message: t(`error.${error.code}`) })}
        </p>
      )}
      <p role="status" className="muted">
        {records === null ? t('history.loading') : status || t('history.count', { count: records.length })}
      </p>
      {records !== null && records.length === 0 && (
        <p>{query.trim() ? t('history.noMatch', { query }) : t('history.empty')}</p>
      )}
      {records !== null && records.length > 0 && (
        <ol className="history-list">
          {records.map((r) => {
            const { result: view, shown } = thresholdView(r.result, r.threshold, r.review.dismissed);
            const types = [...new Set(shown.map((f) => (locale === 'zh-CN' ? ERROR_TYPE_INFO[f.type].zh : ERROR_TYPE_INFO[f.type].en)))];
            return (
              <li key={r.id} data-testid="history-item" data-check-id={r.id} data-verdict={view.verdict}>
                <p>
                  <strong>{t(`check.verdict.${view.verdict}`)}</strong> · <time dateTime={new Date(r.createdAt).toISOString()}>{dateOf(r)}</time> ·{' '}
                  {t('history.item.findings', { count: shown.length })}
                  {types.length > 0 && ` (${types.join('、')})`}
                </p>
                <p className="history-item-text" lang="zh-CN">
                  {preview(r.text)}
                </p>
                <p className="muted">
                  <span title={[r.models.verifier, r.models.reward].filter(Boolean).join(' + ')}>
                    {t('history.item.models', { verifier: label(r.models.verifier), reward: r.models.reward ? ` + ${label(r.models.reward)}` : '' })}
                  </span>{' '}
                  ·{' '}
                  {t('history.item.prompt', { version: `${r.promptId} ${r.promptVersion}` })} ·{' '}
                  {t('history.item.time', { seconds: (r.timings.totalMs / 1000).toFixed(1) })}
                </p>
                <div className="history-actions">
                  <a className="button-link" href={checkHref(r.id)} data-testid="history-open" aria-label={t('history.open.label', { date: dateOf(r) })}>
                    {t('history.open')}
                  </a>
                  <button
                    type="button"
                    data-testid="history-delete"
                    aria-label={t('history.delete.label', { date: dateOf(r) })}
                    onClick={() => void remove(r.id)}
                  >
                    {t('history.delete')}
                  </button>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      {total > 0 &&
        (confirming ? (
          <div className="notice notice-error" role="alertdialog" aria-labelledby="history-confirm-text">
            <p id="history-confirm-text">{t('history.deleteAll.confirm', { count: total })}</p>
            <button type="button" data-testid="history-confirm-delete-all" onClick={() => void removeAll()}>
              {t('history.deleteAll.yes')}
            </button>{' '}
            <button type="button" onClick={() => setConfirming(false)} autoFocus>
              {t('history.deleteAll.no')}
            </button>
          </div>
        ) : (
          <p>
            <button type="button" data-testid="history-delete-all" onClick={() => setConfirming(true)}>
              {t('history.deleteAll')}
            </button>
          </p>
        ))}
    </div>
  );
}
