/**
 * Stored datasets and the import flow: pick a file, parse it in the worker,
 * check and edit the detected mapping (a mapping confirmed before for the
 * same column layout is applied first), see the statistics and every
 * rejected row with its row number and reason, then save.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState } from 'react';
import { readLabel } from '../../../core/dataset/normalize-labels';
import { DATASET_FIELDS, type DatasetField, type ImportProgress, type RejectedRow } from '../../../core/dataset/types';
import { toMedfactError } from '../../../protocol/errors';
import { useBenchStore } from '../bench-store';
import { DataTable } from '../../../ui/data-table';
import { useT } from '../../../i18n';
import { deleteDataset, importedItemCount, layoutFor, parseDatasetFile, saveImportedDataset, type ImportChoices } from '../bench-service';
import type { StagedImportResult } from '../../../domain/bench/bench-protocol';

function RejectedList({ rows }: { rows: RejectedRow[] }) {
  const t = useT('bench');
  const parentRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => parentRef.current, estimateSize: () => 28, overscan: 10 });
  if (rows.length === 0) return <p>{t('bench.import.noRejects')}</p>;
  return (
    <div ref={parentRef} className="virtual-list" style={{ height: Math.min(280, rows.length * 28 + 4), overflow: 'auto' }} role="list" aria-label={t('bench.import.rejected', { count: rows.length })}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((v) => {
          const r = rows[v.index];
          if (!r) return null;
          return (
            <div key={v.key} role="listitem" style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${v.start}px)`, height: v.size }}>
              {t('bench.import.row', { row: r.row })}
              {r.line !== undefined ? ` (${t('bench.import.line', { line: r.line })})` : ''}: {t(`bench.reject.${r.reason}`)} — {r.message}
            </div>
          );
        })}
      </div>
    </div>
  );
}

function Stats({ result }: { result: StagedImportResult }) {
  const t = useT('bench');
  const s = result.stats;
  const groups: [string, Record<string, number>][] = [
    [t('bench.config.errorTypes'), s.byErrorType],
    [t('bench.config.specialties'), s.bySpecialty],
    [t('bench.config.styles'), s.byStyle],
    [t('bench.config.difficulties'), s.byDifficulty],
  ];
  return (
    <div className="import-stats">
      <p data-testid="import-stats">{t('bench.import.stats', { total: s.total, withError: s.withError, correct: s.correct, gold: s.goldSpans, unplaced: s.unplacedGold, rejected: s.rejected })}</p>
      <p data-testid="import-accounting" data-rows={result.rows} data-items={importedItemCount(result)} data-rejected={result.rejected.length}>
        {t('bench.import.accounting', { rows: result.rows, items: importedItemCount(result), rejected: result.rejected.length })}
      </p>
      <p className="muted">
        {t('bench.import.format', { format: result.format, encoding: result.decoding.note, unit: result.unit })}
        {result.preset === 'medec' && ` · ${t('bench.import.medec')}`}
      </p>
      {groups
        .filter(([, g]) => Object.keys(g).length > 0)
        .map(([name, g]) => (
          <p key={name} className="muted">
            {name}: {Object.entries(g).map(([k, v]) => `${k} ${v}`).join(' · ')}
          </p>
        ))}
      {result.notes.length > 0 && (
        <ul>
          {result.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ImportFlow() {
  const t = useT('bench');
  const setError = useBenchStore((s) => s.setError);
  const [file, setFile] = useState<File | null>(null);
  const [choices, setChoices] = useState<ImportChoices>({ preset: 'auto' });
  const [result, setResult] = useState<StagedImportResult | null>(null);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [remembered, setRemembered] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);

  async function parse(f: File, c: ImportChoices, first: boolean): Promise<void> {
    controller.current?.abort();
    const ac = new AbortController();
    controller.current = ac;
    setBusy(true);
    setSaved(null);
    try {
      let r = await parseDatasetFile(f, c, setProgress, ac.signal);
      if (first) {
        // A mapping the user confirmed before for this column layout wins over detection.
        const layout = await layoutFor(r.layoutSignature);
        if (layout) {
          const next: ImportChoices = { ...c, mapping: layout.mapping, ...(layout.preset ? { preset: layout.preset } : {}), ...(layout.unit ? { unit: layout.unit } : {}), ...(layout.labelMeansCorrect !== undefined ? { labelMeansCorrect: layout.labelMeansCorrect } : {}) };
          r = await parseDatasetFile(f, next, setProgress, ac.signal);
          setChoices(next);
          setRemembered(true);
        }
      }
      setResult(r);
    } catch (error) {
      setResult(null);
      setError(toMedfactError(error));
    } finally {
      setBusy(false);
    }
  }

  const setMapping = (field: DatasetField, column: string): void => {
    const next: ImportChoices = { ...choices, mapping: { ...(result?.mapping ?? {}), ...(choices.mapping ?? {}), [field]: column === '' ? null : column } };
    setChoices(next);
    if (file) void parse(file, next, false);
  };

  return (
    <section aria-labelledby="import-title" className="import-flow">
      <h3 id="import-title">{t('bench.import.title')}</h3>
      <p className="muted">{t('bench.import.help')}</p>
      <label>
        {t('bench.import.file')}{' '}
        <input
          type="file"
          accept=".jsonl,.json,.csv,.tsv,.parquet,.txt,.gz"
          onChange={(e) => {
            const f = e.target.files?.[0] ?? null;
            setFile(f);
            setResult(null);
            setRemembered(false);
            const c: ImportChoices = { preset: 'auto' };
            setChoices(c);
            if (f) {
              setName(f.name.replace(/\.[^.]+$/, ''));
              void parse(f, c, true);
            }
          }}
        />
      </label>
      {busy && progress && <progress max={1} value={progress.fraction} aria-label={t('bench.import.parsing')} />}
      {result && file && (
        <>
          <h4>{t('bench.import.mapping')}</h4>
          {remembered && <p className="muted">{t('bench.import.remembered')}</p>}
          <div className="mapping-grid">
            <label className="field">
              {t('bench.import.preset')}
              <select
                value={choices.preset ?? 'auto'}
                onChange={(e) => {
                  const next: ImportChoices = { preset: e.target.value as ImportChoices['preset'] };
                  setChoices(next);
                  void parse(file, next, false);
                }}
              >
                <option value="auto">{t('bench.import.presetAuto')}</option>
                <option value="medec">MEDEC</option>
                <option value="none">{t('bench.import.presetNone')}</option>
              </select>
            </label>
            <label className="field">
              {t('bench.import.unit')}
              <select
                value={choices.unit ?? result.unit}
                onChange={(e) => {
                  const next = { ...choices, unit: e.target.value as 'span' | 'sentence' };
                  setChoices(next);
                  void parse(file, next, false);
                }}
              >
                <option value="span">{t('bench.import.unitSpan')}</option>
                <option value="sentence">{t('bench.import.unitSentence')}</option>
              </select>
            </label>
            {DATASET_FIELDS.map((field) => (
              <label key={field} className="field">
                {t(`bench.field.${field}`)}
                {result.mappingOrigin[field] ? <span className="muted"> ({t(`bench.origin.${result.mappingOrigin[field]}`)})</span> : null}
                <select value={result.mapping[field] ?? ''} onChange={(e) => setMapping(field, e.target.value)}>
                  <option value="">{t('bench.import.unmapped')}</option>
                  {result.columns.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </div>
          {result.mapping.label !== undefined && (
            <label className="field">
              {t('bench.import.labelMeaning', { column: result.mapping.label })}
              <select
                data-testid="import-label-polarity"
                value={choices.labelMeansCorrect === undefined ? 'auto' : choices.labelMeansCorrect ? 'correct' : 'error'}
                onChange={(e) => {
                  const { labelMeansCorrect: _drop, ...rest } = choices;
                  const next: ImportChoices = e.target.value === 'auto' ? rest : { ...rest, labelMeansCorrect: e.target.value === 'correct' };
                  setChoices(next);
                  void parse(file, next, false);
                }}
              >
                <option value="auto">{t('bench.import.labelAuto')}</option>
                <option value="error">{t('bench.import.labelYesError')}</option>
                <option value="correct">{t('bench.import.labelYesCorrect')}</option>
              </select>
            </label>
          )}
          {result.labelQuestion && (
            <fieldset data-testid="import-label-question" className="label-question">
              <legend>{t('bench.import.labelQuestion', { column: result.labelQuestion.column, rows: result.labelQuestion.rows })}</legend>
              {result.labelQuestion.values.map((value) => {
                const reading = readLabel(value);
                if (reading.kind !== 'yes') return null;
                return (
                  <button
                    key={value}
                    type="button"
                    onClick={() => {
                      // "true means has an error" is the error polarity; "false means has an error" the correct one.
                      const next: ImportChoices = { ...choices, labelMeansCorrect: !reading.yes };
                      setChoices(next);
                      void parse(file, next, false);
                    }}
                  >
                    {t('bench.import.labelMeansError', { value })}
                  </button>
                );
              })}
            </fieldset>
          )}
          <Stats result={result} />
          <h4>{t('bench.import.rejected', { count: result.rejected.length })}</h4>
          <RejectedList rows={result.rejected} />
          <label className="field">
            {t('bench.import.name')}
            <input type="text" value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <button
            type="button"
            disabled={busy || importedItemCount(result) === 0}
            onClick={() => {
              setBusy(true);
              saveImportedDataset(result, name, file.name, choices)
                .then((d) => {
                  setSaved(t('bench.import.saved', { name: d.name, count: d.itemCount }));
                  setResult(null);
                  setFile(null);
                })
                .catch((error: unknown) => setError(toMedfactError(error)))
                .finally(() => setBusy(false));
            }}
          >
            {t('bench.import.save', { count: importedItemCount(result) })}
          </button>
        </>
      )}
      {saved && <p role="status">{saved}</p>}
    </section>
  );
}

export function DatasetsPanel() {
  const t = useT('bench');
  const datasets = useBenchStore((s) => s.datasets);
  return (
    <div>
      <h2>{t('bench.datasets.title')}</h2>
      <DataTable
        className="data-table"
        headers={[
          t('bench.datasets.name'),
          t('bench.datasets.items'),
          t('bench.datasets.errors'),
          t('bench.datasets.unit'),
          t('bench.datasets.hash'),
          t('bench.datasets.rejected'),
          null,
        ]}
      >
        {datasets.map((d) => (
          <tr key={d.id}>
            <td>{d.name}</td>
            <td>{d.itemCount}</td>
            <td>{d.stats.withError ?? '—'}</td>
            <td>{d.unit}</td>
            <td>
              <code title={d.contentHash}>{d.contentHash.slice(0, 12)}</code>
            </td>
            <td>{d.rejectedCount}</td>
            <td>
              {d.origin !== 'demo' && (
                <button
                  type="button"
                  onClick={() => {
                    if (window.confirm(t('bench.datasets.confirmDelete', { name: d.name }))) void deleteDataset(d.id);
                  }}
                >
                  {t('bench.action.delete')}
                </button>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      <ImportFlow />
    </div>
  );
}
