/**
 * A run's results: provenance, VC and EL metrics with intervals, breakdowns,
 * the threshold sweep and F1 charts, the per-item table with the item view,
 * and exports (predictions JSONL, metrics JSON, CSV summary).
 */
import { labelName } from '../../../core/labels';
import { useLocaleStore } from '../../../i18n';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { criterionFor, evaluateRun, exportPredictions, type ItemRow } from '../../../domain/bench/run-results';
import type { MetricBlock, Metrics } from '../../../core/metrics/compute-metrics';
import { metricsToCsv, metricsToJson } from '../../../core/metrics/report-writers';
import { toMedfactError } from '../../../protocol/errors';
import { useBenchStore } from '../bench-store';
import { loadRunData, type RunData } from '../bench-service';
import { DataTable } from '../../../ui/data-table';
import { downloadText } from '../../../ui/download';
import { interval, num, pct } from '../format';
import { ItemTable } from './item-table';
import { ItemView } from './item-view';
import { useT } from '../../../i18n';
import { LibraryProvenance } from './run-library';
import { usePick } from '../../../stores/use-pick';

const SweepChart = lazy(() => import('./charts').then((m) => ({ default: m.SweepChart })));
const F1Chart = lazy(() => import('./charts').then((m) => ({ default: m.F1Chart })));

export function useRunData(runId: string | null, refreshKey: unknown): { data: RunData | null; loading: boolean } {
  const setError = useBenchStore((s) => s.setError);
  const [data, setData] = useState<RunData | null>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    let live = true;
    if (!runId) {
      setData(null);
      return;
    }
    setLoading(true);
    loadRunData(runId)
      .then((d) => live && setData(d))
      .catch((error: unknown) => live && setError(toMedfactError(error)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [runId, refreshKey, setError]);
  return { data, loading };
}

function VcTable({ m }: { m: MetricBlock }) {
  const t = useT('bench');
  const vc = m.vc;
  return (
    <table className="data-table" data-testid="vc-table">
      <caption>{t('bench.results.vc')}</caption>
      <tbody>
        <tr>
          <th scope="row">TP / FP / FN / TN</th>
          <td>
            {vc.tp} / {vc.fp} / {vc.fn} / {vc.tn}
          </td>
        </tr>
        <tr>
          <th scope="row">{t('bench.metric.precision')}</th>
          <td>
            {num(vc.precision)} {interval(vc.intervals.precision)}
          </td>
        </tr>
        <tr>
          <th scope="row">{t('bench.metric.recall')}</th>
          <td>
            {num(vc.recall)} {interval(vc.intervals.recall)}
          </td>
        </tr>
        <tr>
          <th scope="row">F1</th>
          <td>
            {num(vc.f1)} {interval(vc.intervals.f1)}
          </td>
        </tr>
        <tr>
          <th scope="row">{t('bench.metric.accuracy')}</th>
          <td>
            {num(vc.accuracy)} {interval(vc.intervals.accuracy)}
          </td>
        </tr>
        <tr>
          <th scope="row">{t('bench.metric.overCriticism')}</th>
          <td>
            {pct(vc.over_criticism)} {interval(vc.intervals.over_criticism)}
          </td>
        </tr>
      </tbody>
    </table>
  );
}

function ElTable({ m }: { m: MetricBlock }) {
  const t = useT('bench');
  const el = m.el;
  return (
    <table className="data-table" data-testid="el-table">
      <caption>{t('bench.results.el')}</caption>
      <tbody>
        <tr>
          <th scope="row">{t('bench.metric.spans')}</th>
          <td>{t('bench.metric.spansValue', { matched: el.matched_pred, predicted: el.predicted, gold: el.gold, matchedGold: el.matched_gold })}</td>
        </tr>
        <tr>
          <th scope="row">{t('bench.metric.precision')}</th>
          <td>
            {num(el.precision)} {interval(el.intervals.precision)}
          </td>
        </tr>
        <tr>
          <th scope="row">{t('bench.metric.recall')}</th>
          <td>
            {num(el.recall)} {interval(el.intervals.recall)}
          </td>
        </tr>
        <tr>
          <th scope="row">F1</th>
          <td>
            {num(el.f1)} {interval(el.intervals.f1)}
          </td>
        </tr>
        <tr>
          <th scope="row">{t('bench.metric.textRate')}</th>
          <td>
            {pct(el.text_rate)} ({el.localized_texts}/{el.texts}) {interval(el.intervals.text_rate)}
          </td>
        </tr>
        <tr>
          <th scope="row">{t('bench.metric.spurious')}</th>
          <td>{num(el.spurious_per_text, 3)}</td>
        </tr>
        {el.excluded > 0 && (
          <tr>
            <th scope="row">{t('bench.metric.excluded')}</th>
            <td>{el.excluded}</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

function Breakdowns({ metrics }: { metrics: Metrics }) {
  const t = useT('bench');
  const locale = useLocaleStore((st) => st.locale);
  return (
    <>
      {(Object.keys(metrics.by) as (keyof Metrics['by'])[]).map((dim) => {
        const groups = Object.entries(metrics.by[dim]);
        if (groups.length === 0) return null;
        return (
          <DataTable
            key={dim} className="data-table"
            caption={t(`bench.by.${dim}`)}
            headers={[
              t('bench.by.group'),
              'n',
              'VC F1',
              t('bench.metric.recall'),
              t('bench.metric.overCriticism'),
              'EL F1',
            ]}
          >
            {groups.map(([g, b]) => (
              <tr key={g}>
                <th scope="row">{labelName(dim, g, locale)}</th>
                <td>{b.n}</td>
                <td>
                  {num(b.vc.f1, 3)} {interval(b.vc.intervals.f1, 2)}
                </td>
                <td>{num(b.vc.recall, 3)}</td>
                <td>{b.vc.fp + b.vc.tn > 0 ? pct(b.vc.over_criticism) : '—'}</td>
                <td>{num(b.el.f1, 3)}</td>
              </tr>
            ))}
          </DataTable>
        );
      })}
    </>
  );
}

export function ResultsView() {
  const t = useT('bench');
  const { runs, openRunId, openRun, progress } = usePick(useBenchStore, 'runs', 'openRunId', 'openRun', 'progress');
  const runId = openRunId ?? runs.find((r) => r.counts.stored > 0)?.id ?? null;
  // Reload while the open run is in progress, at most as often as items finish.
  const refreshKey = progress?.runId === runId ? progress?.counts.stored : 0;
  const { data, loading } = useRunData(runId, refreshKey);
  const [target, setTarget] = useState(0.2);
  const [openRow, setOpenRow] = useState<ItemRow | null>(null);

  const evaluation = useMemo(() => {
    if (!data) return null;
    return evaluateRun(data.items, data.results, { criterion: criterionFor(data.dataset?.unit ?? 'span'), target });
  }, [data, target]);

  if (!runId) return <p className="muted">{t('bench.results.none')}</p>;
  if (!data || !evaluation) return <p className="muted">{loading ? t('bench.loading') : t('bench.results.none')}</p>;
  const { run } = data;
  const { metrics } = evaluation;
  const base = run.name.replace(/[^\w\u4e00-\u9fff-]+/g, '_').slice(0, 60) || 'run';
  const p = run.provenance;

  return (
    <div className="results">
      <label>
        {t('bench.results.run')}{' '}
        <select value={run.id} onChange={(e) => openRun(e.target.value)}>
          {runs.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </label>
      <h2>{run.name}</h2>
      <p data-testid="results-counts">{t('bench.results.counts', { scored: evaluation.scored, failed: evaluation.failed, pending: evaluation.pending, total: run.itemIds.length })}</p>
      {p && (
        <details>
          <summary>{t('bench.results.provenance')}</summary>
          <dl className="provenance">
            <dt>{t('bench.config.verifier')}</dt>
            <dd>{p.verifier ? `${p.verifier.id}@${p.verifier.revision} · ${p.verifier.dtype} · ${p.verifier.device} · ${p.verifier.library}` : '—'}</dd>
            <dt>{t('bench.config.reward')}</dt>
            <dd>{p.reward ? `${p.reward.id}@${p.reward.revision} · ${p.reward.dtype} · ${p.reward.device} · ${p.reward.library}` : '—'}</dd>
            <dt>{t('bench.prov.prompt')}</dt>
            <dd>
              {p.promptId} {p.promptVersion} ({p.promptHash}) · {p.answerFormat}
            </dd>
            <dt>{t('bench.prov.settings')}</dt>
            <dd>{run.config ? `${run.config.variant} · thinking ${run.config.thinking ? 'on' : 'off'} · K=${run.config.samples} · ${run.config.maxTokens} tokens · ${run.config.threshold.kind === 'preset' ? run.config.threshold.preset : run.config.threshold.value}` : '—'}</dd>
            {p.library && <LibraryProvenance library={p.library} />}
            <dt>{t('bench.prov.dataset')}</dt>
            <dd>
              {p.datasetName} · {p.datasetHash.slice(0, 16)} · {p.itemCount} · seed {p.seed ?? '—'}
            </dd>
            <dt>{t('bench.prov.environment')}</dt>
            <dd>
              {p.appVersion} · {p.gpuAdapter} · {p.userAgent}
            </dd>
            <dt>{t('bench.prov.date')}</dt>
            <dd>{p.sessions.join(', ')}</dd>
          </dl>
        </details>
      )}
      <p className="note">{t('bench.results.elNote', { criterion: metrics.criterion })}</p>
      <div className="metric-tables">
        <VcTable m={metrics} />
        <ElTable m={metrics} />
      </div>
      <div className="exports">
        <button type="button" onClick={() => downloadText(`${base}.predictions.jsonl`, exportPredictions(data.results), 'application/jsonl')}>
          {t('bench.export.predictions')}
        </button>
        <button
          type="button"
          onClick={() =>
            downloadText(`${base}.metrics.json`, `${JSON.stringify({ run: { id: run.id, name: run.name, config: run.config, provenance: run.provenance, failed: evaluation.failed }, metrics: JSON.parse(metricsToJson(metrics)) as unknown }, null, 2)}\n`, 'application/json')
          }
        >
          {t('bench.export.metrics')}
        </button>
        <button type="button" onClick={() => downloadText(`${base}.summary.csv`, metricsToCsv(metrics), 'text/csv')}>
          {t('bench.export.csv')}
        </button>
      </div>
      <Suspense fallback={<p className="muted">{t('bench.loading')}</p>}>
        <div className="charts">
          <F1Chart vc={metrics.vc.f1} el={metrics.el.f1} />
          <div>
            <label>
              {t('bench.chart.target')}{' '}
              <input type="number" min={0} max={1} step={0.05} value={target} onChange={(e) => setTarget(Math.max(0, Math.min(1, Number(e.target.value))))} />
            </label>
            <SweepChart sweep={evaluation.sweep} />
          </div>
        </div>
      </Suspense>
      <details>
        <summary>{t('bench.results.breakdowns')}</summary>
        <Breakdowns metrics={metrics} />
      </details>
      <h3>{t('bench.items.title')}</h3>
      <ItemTable rows={evaluation.rows} onOpen={setOpenRow} />
      {openRow && <ItemView row={openRow} onClose={() => setOpenRow(null)} />}
    </div>
  );
}
