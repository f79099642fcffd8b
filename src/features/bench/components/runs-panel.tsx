/** The stored runs: state, progress of the active one, pause / resume / cancel, results, comparison, predictions import. */
import { useRef, useState } from 'react';
import type { PredictionsImportSummary } from '../../../domain/bench/predictions-import';
import type { RunRecord } from '../../../core/run-record';
import { toMedfactError } from '../../../protocol/errors';
import { useBenchStore } from '../bench-store';
import { cancelRun, deleteRun, importPredictionsRun, pauseRun, resumeRun } from '../bench-service';
import { duration } from '../format';
import { useT } from '../../../i18n';
import { usePick } from '../../../stores/use-pick';

function RunRow({ run }: { run: RunRecord }) {
  const t = useT('bench');
  const { activeRunId, progress, resumable, compareIds, toggleCompare, openRun } = usePick(useBenchStore, 'activeRunId', 'progress', 'resumable', 'compareIds', 'toggleCompare', 'openRun');
  const active = activeRunId === run.id;
  const live = active && progress?.runId === run.id ? progress : null;
  const stored = live ? live.counts.stored : run.counts.stored;
  const failed = live ? live.counts.failed : run.counts.failed;
  const total = run.itemIds.length;
  const canResume = !activeRunId && resumable.includes(run.id);
  // What is true now, not what the record last said: a `running` record with no live loop was interrupted (crash, closed
  // page), and a run just started shows that models are loading until its first progress arrives (never "paused").
  const state = live ? live.state : active ? 'loading' : run.state === 'running' && canResume ? 'interrupted' : run.state;

  return (
    <li className="run-row" data-run-id={run.id}>
      <div className="run-head">
        <strong>{run.name}</strong> <span className={`badge state-${state}`} data-testid="run-state" data-state={state}>
          {t(`bench.state.${state}`)}
        </span>
        {run.origin === 'imported' && <span className="badge">{t('bench.runs.imported')}</span>}
      </div>
      <p className="muted">
        {run.config?.verifier.label ?? run.config?.verifier.spec.id ?? t('bench.runs.noModel')}
        {run.config?.reward ? ` + ${run.config.reward.label ?? run.config.reward.spec.id}` : ''} · {new Date(run.createdAt).toLocaleString()}
      </p>
      <progress max={total} value={stored} aria-label={t('bench.runs.progressLabel', { name: run.name })} />
      <p data-testid="run-count" aria-live={active ? 'polite' : undefined}>
        {t('bench.runs.progress', { stored, total })}
        {failed > 0 && ` · ${t('bench.runs.failed', { failed })}`}
        {live?.loading && ` · ${t('bench.runs.loading', { model: live.loading.model, pct: Math.round(live.loading.fraction * 100) })}`}
        {live && live.state === 'running' && live.itemsPerMinute > 0 && ` · ${t('bench.runs.speed', { rate: live.itemsPerMinute.toFixed(1), eta: duration(live.etaMs) })}`}
      </p>
      {run.error && !active && <p className="error-text">{t('bench.runs.stoppedBecause', { message: run.error.message })}</p>}
      <div className="actions">
        {active && (
          <>
            <button type="button" onClick={() => void pauseRun(run.id)}>
              {t('bench.action.pause')}
            </button>
            <button type="button" onClick={() => void cancelRun(run.id)}>
              {t('bench.action.cancel')}
            </button>
          </>
        )}
        {canResume && (
          <button type="button" onClick={() => void resumeRun(run.id)}>
            {t('bench.action.resume')}
          </button>
        )}
        {!active && canResume && (
          <button type="button" onClick={() => void cancelRun(run.id)}>
            {t('bench.action.cancel')}
          </button>
        )}
        <button type="button" onClick={() => openRun(run.id)} disabled={stored === 0}>
          {t('bench.action.results')}
        </button>
        <label>
          <input type="checkbox" checked={compareIds.includes(run.id)} onChange={() => toggleCompare(run.id)} /> {t('bench.action.compare')}
        </label>
        {!active && (
          <button
            type="button"
            onClick={() => {
              if (window.confirm(t('bench.runs.confirmDelete', { name: run.name }))) void deleteRun(run.id);
            }}
          >
            {t('bench.action.delete')}
          </button>
        )}
      </div>
    </li>
  );
}

function ImportPredictions() {
  const t = useT('bench');
  const datasets = useBenchStore((s) => s.datasets);
  const setError = useBenchStore((s) => s.setError);
  const [datasetId, setDatasetId] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const [summary, setSummary] = useState<PredictionsImportSummary | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const chosen = datasetId || datasets[0]?.id || '';
  return (
    <details className="import-predictions">
      <summary>{t('bench.predImport.title')}</summary>
      <p className="muted">{t('bench.predImport.help')}</p>
      <label>
        {t('bench.predImport.dataset')}{' '}
        <select value={chosen} onChange={(e) => setDatasetId(e.target.value)}>
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </label>{' '}
      <label>
        {t('bench.predImport.file')}{' '}
        <input
          ref={fileRef}
          type="file"
          accept=".jsonl,.json,.txt"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (!file || !chosen) return;
            setNote(null);
            setSummary(null);
            importPredictionsRun(file, chosen, file.name.replace(/\.[^.]+$/, ''))
              .then((r) => {
                setNote(t('bench.predImport.done', { issues: r.issues, unknown: r.unknown }));
                setSummary(r.summary);
              })
              .catch((error: unknown) => setError(toMedfactError(error)))
              .finally(() => {
                if (fileRef.current) fileRef.current.value = '';
              });
          }}
        />
      </label>
      {note && <p role="status">{note}</p>}
      {summary && <ImportSummary summary={summary} />}
    </details>
  );
}

/** What the predictions file held: the same counts and line numbers `medfact score` prints. */
function ImportSummary({ summary: s }: { summary: PredictionsImportSummary }) {
  const t = useT('bench');
  return (
    <div className="import-summary" data-testid="predictions-import-summary">
      <p>
        {t('bench.predImport.counts', { matched: s.matched, total: s.total, missing: s.missing, percent: s.missingPercent, unknown: s.unknown, duplicates: s.duplicates, rejected: s.rejectedLines })}
      </p>
      {s.missingWarning && (
        <p role="alert" className="error-text" data-testid="predictions-import-missing-warning">
          {t('bench.predImport.missingWarning', { missing: s.missing, total: s.total, percent: s.missingPercent })}
        </p>
      )}
      {s.missing > 0 && <p className="muted">{t('bench.predImport.missingRule', { matched: s.matched })}</p>}
      {s.shownIssues.length > 0 && (
        <ul data-testid="predictions-import-issues" aria-label={t('bench.predImport.issuesLabel', { count: s.issues })}>
          {s.shownIssues.map((i) => (
            <li key={`${i.line}:${i.message}`}>{t('bench.predImport.line', { line: i.line, message: i.message })}</li>
          ))}
        </ul>
      )}
      {s.shownDuplicates.length > 0 && (
        <ul data-testid="predictions-import-duplicates" aria-label={t('bench.predImport.duplicatesLabel', { count: s.duplicates })}>
          {s.shownDuplicates.map((d) => (
            <li key={d.id}>{t('bench.predImport.duplicate', { id: d.id, lines: d.lines.join(', '), used: d.used_line })}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function RunsPanel() {
  const t = useT('bench');
  const { runs, loaded, compareIds, setTab } = usePick(useBenchStore, 'runs', 'loaded', 'compareIds', 'setTab');
  return (
    <div>
      <h2>{t('bench.runs.title')}</h2>
      {loaded && runs.length === 0 && <p className="muted">{t('bench.runs.empty')}</p>}
      <ul className="run-list">
        {runs.map((run) => (
          <RunRow key={run.id} run={run} />
        ))}
      </ul>
      <button type="button" disabled={compareIds.length < 2} onClick={() => setTab('compare')}>
        {t('bench.action.compareSelected', { count: compareIds.length })}
      </button>
      <ImportPredictions />
    </div>
  );
}
