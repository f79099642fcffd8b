/**
 * uplot charts, loaded only when a results view opens: the threshold sweep
 * (precision, recall, over-criticism against the threshold, with the
 * threshold that meets the over-criticism target marked) and VC/EL F1 bars
 * against the paper's reference lines.
 */
import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import type { ThresholdSweep } from '../../../core/metrics/threshold-sweep';
import { useT } from '../../../i18n';

/** MedFact paper (He et al., 2025): VC F1 / EL F1. */
export const PAPER_REFERENCE = {
  human: { vc: 0.7521, el: 0.7012 },
  bestModel: { vc: 0.7139, el: 0.6858 },
} as const;

type UPlotCtor = typeof uPlot;
let uplotModule: Promise<UPlotCtor> | null = null;
function loadUPlot(): Promise<UPlotCtor> {
  uplotModule ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default);
  return uplotModule;
}

function useChart(build: (U: UPlotCtor, el: HTMLDivElement) => uPlot, deps: readonly unknown[]): React.RefObject<HTMLDivElement | null> {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let chart: uPlot | null = null;
    let live = true;
    void loadUPlot().then((U) => {
      if (!live || !ref.current) return;
      ref.current.textContent = '';
      chart = build(U, ref.current);
    });
    return () => {
      live = false;
      chart?.destroy();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return ref;
}

export function SweepChart({ sweep }: { sweep: ThresholdSweep }) {
  const t = useT('bench');
  const points = sweep.points.filter((p) => Number.isFinite(p.threshold)).reverse();
  const marked = sweep.at_target && Number.isFinite(sweep.at_target.threshold) ? sweep.at_target.threshold : null;
  const ref = useChart(
    (U, el) =>
      new U(
        {
          width: Math.max(320, Math.min(720, el.clientWidth || 640)),
          height: 280,
          scales: { x: { time: false }, y: { range: [0, 1] } },
          axes: [{ label: t('bench.chart.threshold') }, { label: '' }],
          series: [
            { label: t('bench.chart.threshold') },
            { label: t('bench.metric.precision'), stroke: '#0b6e69', width: 2 },
            { label: t('bench.metric.recall'), stroke: '#c0392b', width: 2 },
            { label: t('bench.metric.overCriticism'), stroke: '#8e44ad', width: 2, dash: [6, 4] },
          ],
          hooks: {
            draw: [
              (u) => {
                if (marked === null) return;
                const x = u.valToPos(marked, 'x', true);
                const { ctx } = u;
                ctx.save();
                ctx.strokeStyle = '#333';
                ctx.setLineDash([3, 3]);
                ctx.beginPath();
                ctx.moveTo(x, u.bbox.top);
                ctx.lineTo(x, u.bbox.top + u.bbox.height);
                ctx.stroke();
                ctx.restore();
              },
            ],
          },
        },
        [points.map((p) => p.threshold), points.map((p) => p.precision), points.map((p) => p.recall), points.map((p) => p.over_criticism)],
        el,
      ),
    [sweep, t],
  );
  return (
    <figure>
      <div ref={ref} role="img" aria-label={t('bench.chart.sweepAlt')} />
      <figcaption>
        {sweep.at_target && marked !== null
          ? t('bench.chart.atTarget', { target: ((sweep.target ?? 0) * 100).toFixed(0), threshold: marked.toFixed(3), recall: (sweep.at_target.recall * 100).toFixed(1), precision: (sweep.at_target.precision * 100).toFixed(1) })
          : t('bench.chart.noTarget', { target: ((sweep.target ?? 0) * 100).toFixed(0) })}
      </figcaption>
    </figure>
  );
}

export function F1Chart({ vc, el }: { vc: number; el: number }) {
  const t = useT('bench');
  const ref = useChart(
    (U, node) => {
      const bars = U.paths.bars?.({ size: [0.5, 60] });
      return new U(
        {
          width: Math.max(300, Math.min(520, node.clientWidth || 480)),
          height: 260,
          scales: { x: { time: false, range: [-0.5, 1.5] }, y: { range: [0, 1] } },
          axes: [{ values: (_u, splits) => splits.map((s) => (s === 0 ? 'VC F1' : s === 1 ? 'EL F1' : '')), splits: () => [0, 1] }, {}],
          series: [
            {},
            { label: t('bench.chart.thisRun'), fill: 'rgba(11,110,105,0.6)', stroke: '#0b6e69', ...(bars ? { paths: bars } : {}), points: { show: false } },
            { label: t('bench.chart.human'), stroke: '#c0392b', dash: [6, 4], width: 2, points: { show: true, size: 8 } },
            { label: t('bench.chart.bestModel'), stroke: '#8e44ad', dash: [2, 4], width: 2, points: { show: true, size: 8 } },
          ],
        },
        [
          [0, 1],
          [vc, el],
          [PAPER_REFERENCE.human.vc, PAPER_REFERENCE.human.el],
          [PAPER_REFERENCE.bestModel.vc, PAPER_REFERENCE.bestModel.el],
        ],
        node,
      );
    },
    [vc, el, t],
  );
  return (
    <figure>
      <div ref={ref} role="img" aria-label={t('bench.chart.f1Alt', { vc: vc.toFixed(3), el: el.toFixed(3) })} />
      <figcaption>{t('bench.chart.reference')}</figcaption>
    </figure>
  );
}
