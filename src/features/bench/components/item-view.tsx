/**
 * One item, gold and predicted spans side by side. Offsets are UTF-16
 * indices into the item text; the text is rendered as React text nodes
 * (never as HTML), with <mark> around the covered pieces.
 */
import type { ItemRow } from '../../../domain/bench/run-results';
import { useT } from '../../../i18n';

interface Range {
  start: number;
  end: number;
  title: string;
}

interface Piece {
  text: string;
  covering: Range[];
}

/** Cuts the text at every range boundary; each piece knows which ranges cover it. */
export function piecesOf(text: string, ranges: readonly Range[]): Piece[] {
  const valid = ranges.filter((r) => r.start >= 0 && r.end <= text.length && r.end > r.start);
  const cuts = new Set<number>([0, text.length]);
  for (const r of valid) {
    cuts.add(r.start);
    cuts.add(r.end);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: Piece[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const a = sorted[i] as number;
    const b = sorted[i + 1] as number;
    out.push({ text: text.slice(a, b), covering: valid.filter((r) => r.start <= a && r.end >= b) });
  }
  return out;
}

function Marked({ text, ranges, kind }: { text: string; ranges: Range[]; kind: 'gold' | 'pred' }) {
  return (
    <p className="item-text" lang="zh">
      {piecesOf(text, ranges).map((p, i) =>
        p.covering.length > 0 ? (
          <mark key={i} className={`mark-${kind}`} title={p.covering.map((r) => r.title).join(' | ')}>
            {p.text}
          </mark>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </p>
  );
}

export function ItemView({ row, onClose }: { row: ItemRow; onClose: () => void }) {
  const t = useT('bench');
  const { item, result } = row;
  const gold: Range[] = item.gold.filter((g) => g.placed).map((g) => ({ start: g.start, end: g.end, title: `${item.errorType ?? ''} → ${item.correction ?? ''}` }));
  const predicted: Range[] = (result?.prediction.spans ?? []).map((s) => ({ start: s.start, end: s.end, title: `${s.type ?? ''} → ${s.correction ?? ''} (${(s.score ?? 0).toFixed(2)})` }));
  return (
    <section className="item-view" aria-label={t('bench.item.title', { id: item.id })}>
      <header>
        <h3>{t('bench.item.title', { id: item.id })}</h3>
        <button type="button" onClick={onClose}>
          {t('bench.item.close')}
        </button>
      </header>
      <p>
        {t('bench.item.gold')}: {item.hasError ? t('bench.item.hasError') : t('bench.item.noError')} · {t('bench.item.prediction')}:{' '}
        {result ? (result.status === 'failed' ? t('bench.outcome.failed') : result.prediction.hasError ? t('bench.item.hasError') : t('bench.item.noError')) : '—'} ·{' '}
        {t(`bench.outcome.${row.outcome}`)}
      </p>
      <div className="side-by-side">
        <div>
          <h4>{t('bench.item.goldSpans')}</h4>
          <Marked text={item.text} ranges={gold} kind="gold" />
          {item.gold.map((g, i) => (
            <p key={i} className="muted">
              [{g.start}, {g.end}) “{g.text}”{item.correction ? ` → “${item.correction}”` : ''}
              {g.placed ? '' : ` (${t('bench.item.unplaced')})`}
            </p>
          ))}
        </div>
        <div>
          <h4>{t('bench.item.predSpans')}</h4>
          <Marked text={item.text} ranges={predicted} kind="pred" />
          {result?.findings.map((f, i) => (
            <p key={i} className="muted">
              {f.start !== null ? `[${f.start}, ${f.end})` : t('bench.item.unlocated')} “{f.quote}” → “{f.correction}” · {f.type} · {f.confidence.toFixed(2)}
              {f.kept ? '' : ` (${t('bench.item.belowThreshold')})`}
            </p>
          ))}
        </div>
      </div>
      {result?.error && <p className="error-text">{result.error.message}</p>}
      {result && result.raw.length > 0 && (
        <details>
          <summary>{t('bench.item.raw')}</summary>
          {result.raw.map((r, i) => (
            <pre key={i}>{r}</pre>
          ))}
        </details>
      )}
    </section>
  );
}
