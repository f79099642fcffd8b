/**
 * Two or more runs over the same items: the first picked run is the
 * baseline; each other run gets its metric differences, the exact McNemar
 * p-value on per-item VC correctness, paired bootstrap intervals of the F1
 * differences, and the items whose outcome flipped. Only items scored in
 * both runs are compared.
 */
import { useEffect, useMemo, useState } from 'react';
import { criterionFor, predictionsOf } from '../../../domain/bench/run-results';
import { compareRuns, type RunComparison } from '../../../core/metrics/compare-runs';
import { toMedfactError } from '../../../protocol/errors';
import { useBenchStore } from '../bench-store';
import { loadRunData, type RunData } from '../bench-service';
import { interval, num, pValue, signed } from '../format';
import { DataTable } from '../../../ui/data-table';
import { useBenchT } from '../use-bench-t';

function compare(a: RunData, b: RunData): RunComparison {
  const doneA = new Set(a.results.filter((r) => r.status === 'done').map((r) => r.itemId));
  const doneB = new Set(b.results.filter((r) => r.status === 'done').map((r) => r.itemId));
  const shared = a.items.filter((it) => doneA.has(it.id) && doneB.has(it.id));
  return compareRuns(
    { items: shared, predictions: predictionsOf(a.results, new Map()), name: a.run.name },
    { items: shared, predictions: predictionsOf(b.results, new Map()), name: b.run.name },
    { criterion: criterionFor(a.dataset?.unit ?? 'span') },
  );
}

const ROWS: [keyof RunComparison['diff'], string, (b: RunComparison['a']) => number][] = [
  ['vc_precision', 'VC P', (m) => m.vc.precision],
  ['vc_recall', 'VC R', (m) => m.vc.recall],
  ['vc_f1', 'VC F1', (m) => m.vc.f1],
  ['vc_accuracy', 'VC Acc', (m) => m.vc.accuracy],
  ['over_criticism', 'OC', (m) => m.vc.over_criticism],
  ['el_precision', 'EL P', (m) => m.el.precision],
  ['el_recall', 'EL R', (m) => m.el.recall],
  ['el_f1', 'EL F1', (m) => m.el.f1],
  ['text_rate', 'Loc.', (m) => m.el.text_rate],
];

function Pair({ a, b, c }: { a: RunData; b: RunData; c: RunComparison }) {
  const t = useBenchT();
  return (
    <section className="comparison" data-testid="comparison">
      <h3>
        {a.run.name} → {b.run.name}
      </h3>
      <p>{t('bench.compare.shared', { n: c.n_shared, onlyA: c.only_a, onlyB: c.only_b })}</p>
      <DataTable className="data-table" headers={[t('bench.compare.metric'), a.run.name, b.run.name, t('bench.compare.diff')]}>
        {ROWS.map(([key, label, get]) => (
          <tr key={key}>
            <th scope="row">{label}</th>
            <td>{num(get(c.a))}</td>
            <td>{num(get(c.b))}</td>
            <td>{signed(c.diff[key])}</td>
          </tr>
        ))}
      </DataTable>
      <p>
        {t('bench.compare.mcnemar', { aRight: c.mcnemar.a_right_b_wrong, bRight: c.mcnemar.a_wrong_b_right, p: pValue(c.mcnemar.p_value) })}
      </p>
      <p>
        {t('bench.compare.bootstrap', {
          vc: signed(c.bootstrap.vc_f1.diff),
          vcCi: interval(c.bootstrap.vc_f1.interval, 4),
          el: signed(c.bootstrap.el_f1.diff),
          elCi: interval(c.bootstrap.el_f1.interval, 4),
          n: c.bootstrap.resamples,
        })}
      </p>
      <details>
        <summary>{t('bench.compare.flipped', { count: c.flipped.length })}</summary>
        <ul className="flipped">
          {c.flipped.slice(0, 500).map((f) => (
            <li key={f.id}>
              {f.id}: {t('bench.compare.flip', { gold: t(f.gold ? 'bench.items.hasError' : 'bench.items.noError'), a: t(f.a ? 'bench.items.hasError' : 'bench.items.noError'), b: t(f.b ? 'bench.items.hasError' : 'bench.items.noError'), winner: f.now_correct === 'b' ? b.run.name : a.run.name })}
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}

export function CompareView() {
  const t = useBenchT();
  const compareIds = useBenchStore((s) => s.compareIds);
  const setError = useBenchStore((s) => s.setError);
  const [data, setData] = useState<RunData[]>([]);

  useEffect(() => {
    let live = true;
    Promise.all(compareIds.map((id) => loadRunData(id)))
      .then((list) => live && setData(list))
      .catch((error: unknown) => live && setError(toMedfactError(error)));
    return () => {
      live = false;
    };
  }, [compareIds, setError]);

  const pairs = useMemo(() => {
    const [base, ...others] = data;
    if (!base) return [];
    return others.map((other) => ({ a: base, b: other, c: compare(base, other) }));
  }, [data]);

  if (compareIds.length < 2) return <p className="muted">{t('bench.compare.pick')}</p>;
  return (
    <div>
      <h2>{t('bench.compare.title')}</h2>
      {data.length >= 2 && data.some((d) => d.run.datasetHash !== data[0]?.run.datasetHash) && <p className="notice">{t('bench.compare.differentData')}</p>}
      {pairs.map((p) => (
        <Pair key={p.b.run.id} {...p} />
      ))}
    </div>
  );
}
