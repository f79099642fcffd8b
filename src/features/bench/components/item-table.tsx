/** Per-item results for thousands of rows: virtualised, filterable (wrong only, false alarms, misses, failed, by category). */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import type { ItemRow } from '../../../domain/bench/run-results';
import { useT } from '../../../i18n';

export type ItemFilter = 'all' | 'wrong' | 'false-alarms' | 'misses' | 'mislocated' | 'failed';
const FILTERS: readonly ItemFilter[] = ['all', 'wrong', 'false-alarms', 'misses', 'mislocated', 'failed'];

export function filterRows(rows: readonly ItemRow[], filter: ItemFilter, category: string): ItemRow[] {
  return rows.filter((r) => {
    if (category && r.item.errorType !== category && r.item.specialty !== category) return false;
    switch (filter) {
      case 'all':
        return true;
      case 'wrong':
        return r.outcome === 'fp' || r.outcome === 'fn' || r.mislocated;
      case 'false-alarms':
        return r.outcome === 'fp';
      case 'misses':
        return r.outcome === 'fn';
      case 'mislocated':
        return r.mislocated;
      case 'failed':
        return r.outcome === 'failed';
    }
  });
}

const ROW = 32;

export function ItemTable({ rows, onOpen }: { rows: readonly ItemRow[]; onOpen: (row: ItemRow) => void }) {
  const t = useT('bench');
  const [filter, setFilter] = useState<ItemFilter>('all');
  const [category, setCategory] = useState('');
  const categories = useMemo(() => {
    const set = new Set<string>();
    for (const r of rows) {
      if (r.item.errorType) set.add(r.item.errorType);
      if (r.item.specialty) set.add(r.item.specialty);
    }
    return [...set].sort();
  }, [rows]);
  const shown = useMemo(() => filterRows(rows, filter, category), [rows, filter, category]);
  const parentRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: shown.length, getScrollElement: () => parentRef.current, estimateSize: () => ROW, overscan: 12 });

  return (
    <div className="item-table">
      <div className="filters">
        <label>
          {t('bench.items.filter')}{' '}
          <select value={filter} onChange={(e) => setFilter(e.target.value as ItemFilter)}>
            {FILTERS.map((f) => (
              <option key={f} value={f}>
                {t(`bench.filter.${f}`)}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          {t('bench.items.category')}{' '}
          <select value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value="">{t('bench.config.any')}</option>
            {categories.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>{' '}
        <span role="status" data-testid="items-shown">
          {t('bench.items.shown', { shown: shown.length, total: rows.length })}
        </span>
      </div>
      <div className="item-row item-row-head" aria-hidden="true">
        <span>#</span>
        <span>{t('bench.items.id')}</span>
        <span>{t('bench.items.gold')}</span>
        <span>{t('bench.items.pred')}</span>
        <span>{t('bench.items.outcome')}</span>
        <span>{t('bench.items.spans')}</span>
        <span>{t('bench.items.type')}</span>
      </div>
      <div ref={parentRef} style={{ height: 420, overflow: 'auto' }} role="list" aria-label={t('bench.items.title')}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const r = shown[v.index];
            if (!r) return null;
            return (
              <div key={v.key} role="listitem" style={{ position: 'absolute', top: 0, left: 0, right: 0, height: v.size, transform: `translateY(${v.start}px)` }}>
                <button type="button" className={`item-row outcome-${r.outcome}`} onClick={() => onOpen(r)}>
                  <span>{r.index + 1}</span>
                  <span>{r.item.id}</span>
                  <span data-testid="item-gold">{t(r.item.hasError ? 'bench.items.hasError' : 'bench.items.noError')}</span>
                  <span data-testid="item-pred">
                    {r.result ? t(r.result.status === 'failed' ? 'bench.items.failed' : r.result.prediction.hasError ? 'bench.items.hasError' : 'bench.items.noError') : '…'}
                  </span>
                  <span>{t(`bench.outcome.${r.outcome}`)}</span>
                  <span>
                    {r.matched}/{r.spurious}
                  </span>
                  <span>{r.item.errorType ?? ''}</span>
                </button>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
