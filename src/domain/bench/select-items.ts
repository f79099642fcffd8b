/**
 * Which items a run covers: filters by gold label, error type, specialty,
 * style and difficulty, then an optional seeded sample. The same selection
 * and seed always give the same items in the same order, on any machine.
 */
import type { DatasetItem } from '../../core/dataset/types';
import { createRng } from '../../core/metrics/stats-utils';
import { MedfactError } from '../../protocol/errors';
import type { ItemSelection } from '../../core/run-record';

export function matchesSelection(item: DatasetItem, s: ItemSelection): boolean {
  if (s.label === 'error' && !item.hasError) return false;
  if (s.label === 'correct' && item.hasError) return false;
  if (s.errorTypes?.length && !(item.errorType !== undefined && s.errorTypes.includes(item.errorType))) return false;
  if (s.specialties?.length && !(item.specialty !== undefined && s.specialties.includes(item.specialty))) return false;
  if (s.styles?.length && !(item.style !== undefined && s.styles.includes(item.style))) return false;
  if (s.difficulties?.length && !(item.difficulty !== undefined && s.difficulties.includes(item.difficulty))) return false;
  return true;
}

/** Fisher–Yates with a seeded generator. */
function seededShuffle<T>(list: T[], seed: number): T[] {
  const out = [...list];
  const rng = createRng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

/**
 * The run's item ids in run order: file order, or with a sample the sampled
 * items in file order (so a sample of N is a subset of a sample of N+1 with
 * the same seed is not promised, but the same inputs repeat exactly).
 */
export function selectItems(items: readonly DatasetItem[], selection: ItemSelection): string[] {
  const kept = items.filter((it) => matchesSelection(it, selection));
  if (selection.sampleSize === undefined || selection.sampleSize >= kept.length) return kept.map((it) => it.id);
  if (!Number.isInteger(selection.sampleSize) || selection.sampleSize < 1) {
    throw new MedfactError('BAD_CONFIG', 'The sample size must be a whole number of at least 1.');
  }
  const positions = seededShuffle(
    kept.map((_, i) => i),
    selection.seed ?? 1,
  )
    .slice(0, selection.sampleSize)
    .sort((a, b) => a - b);
  return positions.map((i) => (kept[i] as DatasetItem).id);
}

/** The dataset's items for a run's ids, in run order; ids no longer in the dataset are reported. */
export function itemsForRun(items: readonly DatasetItem[], itemIds: readonly string[]): { items: DatasetItem[]; missing: string[] } {
  const byId = new Map(items.map((it) => [it.id, it]));
  const out: DatasetItem[] = [];
  const missing: string[] = [];
  for (const id of itemIds) {
    const it = byId.get(id);
    if (it) out.push(it);
    else missing.push(id);
  }
  return { items: out, missing };
}
