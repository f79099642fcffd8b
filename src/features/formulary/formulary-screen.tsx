/**
 * The Formulary (处方集) screen: import a hospital formulary file (CSV, TSV,
 * JSON, XLSX) or the demo one, see its rows and the rows it could not use
 * (with row numbers and what to fix), and pick which stored version is
 * active. Automation hooks: formulary-import (file input), formulary-load-demo,
 * formulary-row (data-name), formulary-bad-row (data-row), formulary-version
 * (data-active), formulary-status, formulary-demo-label.
 */
import { useCallback, useEffect, useId, useState } from 'react';
import { importFormulary, DEMO_FORMULARY_CSV, DEMO_FORMULARY_FILE_NAME, type Dose } from '../../core/meds';
import { useLocaleStore, useT } from '../../i18n';
import { toMedfactError } from '../../protocol/errors';
import { formularyRepo, type FormularyVersion } from '../../storage/formulary-repo';
import { DataTable } from '../../ui/data-table';
import './formulary.css';

const doseText = (d: Dose | undefined): string => d?.text ?? '';

export function FormularyScreen() {
  const t = useT();
  const locale = useLocaleStore((s) => s.locale);
  const [versions, setVersions] = useState<FormularyVersion[] | null>(null);
  const [active, setActive] = useState<FormularyVersion | undefined>(undefined);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const inputId = useId();

  const refresh = useCallback(async () => {
    try {
      const [all, act] = await Promise.all([formularyRepo.list(), formularyRepo.getActive()]);
      setVersions(all);
      setActive(act);
    } catch (e) {
      setError(t('formulary.error', { message: toMedfactError(e).message }));
      setVersions([]);
    }
  }, [t]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const store = async (bytes: Uint8Array, fileName: string, demo: boolean) => {
    setBusy(true);
    setError('');
    setStatus(t('formulary.import.busy', { name: fileName }));
    try {
      const f = await importFormulary(bytes, { fileName });
      await formularyRepo.add({ hash: f.hash, fileName, format: f.format, importedAt: Date.now(), rows: f.rows, bad: f.bad, demo });
      setStatus(t('formulary.import.done', { name: fileName, rows: f.rows.length, bad: f.bad.length }));
      await refresh();
    } catch (e) {
      setStatus('');
      setError(t('formulary.import.failed', { name: fileName, message: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  };

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    await store(new Uint8Array(await file.arrayBuffer()), file.name, false);
  };

  const activate = async (id: string) => {
    try {
      await formularyRepo.setActive(id);
      await refresh();
    } catch (e) {
      setError(t('formulary.error', { message: toMedfactError(e).message }));
    }
  };

  const remove = async (id: string) => {
    try {
      await formularyRepo.remove(id);
      await refresh();
    } catch (e) {
      setError(t('formulary.error', { message: toMedfactError(e).message }));
    }
  };

  const dateOf = (ms: number) => new Date(ms).toLocaleString(locale);

  return (
    <div className="formulary-screen">
      <div className="screen-header">
        <h1 tabIndex={-1}>{t('formulary.title')}</h1>
      </div>
      <p>{t('formulary.intro')}</p>
      <div className="formulary-actions">
        <label htmlFor={inputId}>{t('formulary.import.label')}</label>{' '}
        <input
          id={inputId}
          type="file"
          data-testid="formulary-import"
          accept=".csv,.tsv,.tab,.json,.xlsx,text/csv,text/tab-separated-values,application/json,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          disabled={busy}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            void onFile(file);
          }}
        />{' '}
        <button type="button" data-testid="formulary-load-demo" disabled={busy} onClick={() => void store(new TextEncoder().encode(DEMO_FORMULARY_CSV), DEMO_FORMULARY_FILE_NAME, true)}>
          {t('formulary.demo.load')}
        </button>
      </div>
      <p role="status" data-testid="formulary-status" className="muted">
        {status}
      </p>
      {error && (
        <p className="notice notice-error" role="alert" data-testid="formulary-error">
          {error}
        </p>
      )}

      <section aria-labelledby="formulary-active-h">
        <h2 id="formulary-active-h">{t('formulary.active')}</h2>
        {!active ? (
          <p data-testid="formulary-none">{versions === null ? '…' : t('formulary.active.none')}</p>
        ) : (
          <>
            <p data-testid="formulary-active" data-hash={active.hash}>
              {t('formulary.meta', { name: active.fileName, date: dateOf(active.importedAt), rows: active.rows.length, hash: active.hash.slice(0, 12) })}
            </p>
            {active.demo && (
              <p className="notice formulary-demo" data-testid="formulary-demo-label">
                {t('formulary.demo.label')}
              </p>
            )}
            {active.bad.length > 0 && (
              <>
                <h3>{t('formulary.bad')}</h3>
                <ul className="formulary-bad">
                  {active.bad.map((b, i) => (
                    <li key={`${b.row}-${i}`} data-testid="formulary-bad-row" data-row={b.row}>
                      {b.message}
                    </li>
                  ))}
                </ul>
              </>
            )}
            <h3>{t('formulary.rows')}</h3>
            <div className="formulary-table-wrap">
              <DataTable
                className="formulary-table"
                headers={[
                  '#',
                  t('formulary.col.name'),
                  t('formulary.col.aliases'),
                  t('formulary.col.population'),
                  t('formulary.col.route'),
                  t('formulary.col.single'),
                  t('formulary.col.daily'),
                  t('formulary.col.singleKg'),
                  t('formulary.col.dailyKg'),
                  t('formulary.col.times'),
                  t('formulary.col.interval'),
                  t('formulary.col.contra'),
                  t('formulary.col.source'),
                ]}
              >
                {active.rows.map((r) => (
                  <tr key={r.row} data-testid="formulary-row" data-name={r.name} data-row={r.row}>
                    <td>{r.row}</td>
                    <th scope="row" lang="zh-CN">
                      {r.name}
                    </th>
                    <td lang="zh-CN">{r.aliases.join('、')}</td>
                    <td lang="zh-CN">{r.population}</td>
                    <td lang="zh-CN">{r.route}</td>
                    <td>{doseText(r.maxSingle)}</td>
                    <td>{doseText(r.maxDaily)}</td>
                    <td>{doseText(r.maxSinglePerKg)}</td>
                    <td>{doseText(r.maxDailyPerKg)}</td>
                    <td>{r.maxTimesPerDay ?? ''}</td>
                    <td>{r.minIntervalH ?? ''}</td>
                    <td lang="zh-CN">{r.contraindicated.join('；')}</td>
                    <td lang="zh-CN" className="formulary-source">
                      {r.source}
                    </td>
                  </tr>
                ))}
              </DataTable>
            </div>
          </>
        )}
      </section>

      {versions !== null && versions.length > 0 && (
        <section aria-labelledby="formulary-versions-h">
          <h2 id="formulary-versions-h">{t('formulary.versions')}</h2>
          <ol className="formulary-versions">
            {versions.map((v) => {
              const isActive = active?.id === v.id;
              return (
                <li key={v.id} data-testid="formulary-version" data-active={isActive ? 'true' : 'false'} data-hash={v.hash}>
                  <span>{t('formulary.meta', { name: v.fileName, date: dateOf(v.importedAt), rows: v.rows.length, hash: v.hash.slice(0, 12) })}</span>
                  {v.demo && <span className="badge"> {t('formulary.demo.label')}</span>}{' '}
                  {isActive ? (
                    <strong>{t('formulary.version.active')}</strong>
                  ) : (
                    <button type="button" onClick={() => void activate(v.id)}>
                      {t('formulary.version.activate')}
                    </button>
                  )}{' '}
                  <button type="button" onClick={() => void remove(v.id)}>
                    {t('formulary.version.remove')}
                  </button>
                </li>
              );
            })}
          </ol>
        </section>
      )}
    </div>
  );
}
