/**
 * computeMetrics builds its four breakdowns in one pass (breakdownGroups,
 * issue 15). It must give exactly the groups that groupIndices gives with the
 * documented key of each breakdown, on items with every field missing or odd.
 */
import { describe, expect, it } from 'vitest';
import { BREAKDOWN_KEYS, breakdownGroups, groupIndices } from '../../../../src/core/metrics/compute-metrics';
import type { DatasetItem } from '../../../../src/core/dataset/types';
import { seededRandom } from '../../../../perf/synthetic';

function items(count: number): DatasetItem[] {
  const rng = seededRandom(7);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rng() * values.length)] as T;
  return Array.from({ length: count }, (_, i): DatasetItem => {
    const it: DatasetItem = { id: `i${i}`, text: '文本。', hasError: rng() < 0.5, gold: [], unit: 'span' };
    // An error type on a correct text is left out of the error-type breakdown; '' is a label of its own.
    const errorType = pick([undefined, 'conceptual', 'temporal', '', 'made-up']);
    if (errorType !== undefined) it.errorType = errorType;
    const specialty = pick([undefined, 'tcm', 'surgery', '不存在的专科']);
    if (specialty !== undefined) it.specialty = specialty;
    const style = pick([undefined, 'news', 'qa']);
    if (style !== undefined) it.style = style;
    const difficulty = pick([undefined, 1, 2, 3, 4, 5]);
    if (difficulty !== undefined) it.difficulty = difficulty;
    return it;
  });
}

describe('breakdownGroups', () => {
  it('gives the groups of groupIndices with each breakdown key, in the same order', () => {
    const list = items(3000);
    const groups = breakdownGroups(list);
    for (const dim of Object.keys(BREAKDOWN_KEYS) as (keyof typeof BREAKDOWN_KEYS)[]) {
      const expected = groupIndices(list, BREAKDOWN_KEYS[dim]);
      expect([...groups[dim].keys()]).toEqual([...expected.keys()]);
      expect([...groups[dim].entries()]).toEqual([...expected.entries()]);
    }
    expect(groups.error_type.has('')).toBe(true);
    expect(groups.difficulty.get('3')?.length).toBeGreaterThan(0);
  });

  it('gives empty groups for no items or items without labels', () => {
    expect(Object.values(breakdownGroups([])).map((m) => m.size)).toEqual([0, 0, 0, 0]);
    const bare: DatasetItem[] = [{ id: 'a', text: 't', hasError: false, gold: [], unit: 'span', errorType: 'conceptual' }];
    expect(Object.values(breakdownGroups(bare)).map((m) => m.size)).toEqual([0, 0, 0, 0]);
  });
});
