/**
 * The Benchmark screen: datasets and import, a new run, the runs with their
 * progress (pause, resume, cancel; interrupted runs offered for resuming),
 * a run's results and a comparison of runs. Results and comparison (with
 * uplot and the virtualised table) load only when opened.
 */
import { lazy, Suspense, useEffect } from 'react';
import { useBenchStore, type BenchTab } from './bench-store';
import { refreshBench, resumeRun } from './bench-service';
import { DatasetsPanel } from './components/datasets-panel';
import { RunConfigForm } from './components/run-config';
import { RunsPanel } from './components/runs-panel';
import './bench.css';
import { useT } from '../../i18n';
import { usePick } from '../../stores/use-pick';

const ResultsView = lazy(() => import('./components/results-view').then((m) => ({ default: m.ResultsView })));
const CompareView = lazy(() => import('./components/compare-view').then((m) => ({ default: m.CompareView })));

const TABS: readonly BenchTab[] = ['runs', 'new-run', 'datasets', 'results', 'compare'];

export function BenchScreen() {
  const t = useT('bench');
  const { tab, setTab, error, setError, resumable, runs, activeRunId } = usePick(useBenchStore, 'tab', 'setTab', 'error', 'setError', 'resumable', 'runs', 'activeRunId');

  useEffect(() => {
    void refreshBench();
    // A `running` run without a live loop becomes resumable once its heartbeat is stale.
    const timer = setInterval(() => void refreshBench(), 10_000);
    return () => clearInterval(timer);
  }, []);

  const interrupted = runs.filter((r) => resumable.includes(r.id));

  return (
    <section className="bench" aria-labelledby="bench-title">
      <h1 id="bench-title" tabIndex={-1}>
        {t('bench.title')}
      </h1>
      <p className="muted">{t('bench.intro')}</p>

      {error && (
        <div className="notice notice-error" role="alert">
          <p>{error.message}</p>
          <button type="button" onClick={() => setError(null)}>
            {t('bench.dismiss')}
          </button>
        </div>
      )}

      {interrupted.length > 0 && !activeRunId && (
        <div className="notice" role="status" data-testid="resume-offer">
          <p>{t('bench.resume.offer', { count: interrupted.length })}</p>
          <ul>
            {interrupted.map((run) => (
              <li key={run.id}>
                {run.name} — {t('bench.runs.progress', { stored: run.counts.stored, total: run.itemIds.length })}{' '}
                <button type="button" onClick={() => void resumeRun(run.id)}>
                  {t('bench.resume.button', { name: run.name })}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}

      <div role="tablist" aria-label={t('bench.tabs')} className="tabs">
        {TABS.map((id) => (
          <button key={id} type="button" role="tab" id={`bench-tab-${id}`} aria-selected={tab === id} aria-controls={`bench-panel-${id}`} onClick={() => setTab(id)}>
            {t(`bench.tab.${id}`)}
          </button>
        ))}
      </div>

      <div role="tabpanel" id={`bench-panel-${tab}`} aria-labelledby={`bench-tab-${tab}`}>
        {tab === 'runs' && <RunsPanel />}
        {tab === 'new-run' && <RunConfigForm />}
        {tab === 'datasets' && <DatasetsPanel />}
        <Suspense fallback={<p className="muted">{t('bench.loading')}</p>}>
          {tab === 'results' && <ResultsView />}
          {tab === 'compare' && <CompareView />}
        </Suspense>
      </div>
    </section>
  );
}
