import { sha256Hex } from './byte-source';
import type { DatasetItem, DatasetStats, RejectedRow, RowWarning } from './types';

function bump(map: Record<string, number>, key: string | undefined): void {
  if (key === undefined) return;
  map[key] = (map[key] ?? 0) + 1;
}

export function computeStats(items: readonly DatasetItem[], rejected: readonly RejectedRow[], warnings: readonly RowWarning[]): DatasetStats {
  const stats: DatasetStats = {
    total: items.length,
    withError: 0,
    correct: 0,
    byErrorType: {},
    bySpecialty: {},
    byStyle: {},
    byDifficulty: {},
    goldSpans: 0,
    unplacedGold: 0,
    approximateGold: 0,
    erroneousWithoutGold: 0,
    rejected: rejected.length,
    rejectedByReason: {},
    warningsByReason: {},
    textLength: { min: 0, mean: 0, max: 0 },
  };
  let sum = 0;
  let min = Infinity;
  let max = 0;
  for (const it of items) {
    if (it.hasError) {
      stats.withError++;
      if (it.gold.length === 0) stats.erroneousWithoutGold++;
    } else stats.correct++;
    bump(stats.byErrorType, it.errorType);
    bump(stats.bySpecialty, it.specialty);
    bump(stats.byStyle, it.style);
    bump(stats.byDifficulty, it.difficulty === undefined ? undefined : String(it.difficulty));
    for (const g of it.gold) {
      stats.goldSpans++;
      if (!g.placed) stats.unplacedGold++;
      else if (g.approximate) stats.approximateGold++;
    }
    const len = it.text.length;
    sum += len;
    if (len < min) min = len;
    if (len > max) max = len;
  }
  for (const r of rejected) bump(stats.rejectedByReason, r.reason);
  for (const w of warnings) bump(stats.warningsByReason, w.reason);
  if (items.length > 0) stats.textLength = { min, mean: sum / items.length, max };
  return stats;
}

/** Items per hashed block; fixed so the hash never depends on how the file was chunked. */
const HASH_BLOCK = 1024;

/**
 * SHA-256 over the canonical items: each block of 1,024 items is hashed as
 * JSON, then the block digests are hashed together. The same content in CSV,
 * JSONL or Parquet gives the same hash; row order matters.
 */
export async function hashItems(items: readonly DatasetItem[], onBlock?: (done: number) => Promise<void> | void): Promise<string> {
  const digests: string[] = [];
  for (let i = 0; i < items.length; i += HASH_BLOCK) {
    const block = items.slice(i, i + HASH_BLOCK).map((it) => [
      it.id,
      it.text,
      it.hasError,
      it.gold.map((g) => [g.start, g.end, g.text, g.placed]),
      it.errorType ?? null,
      it.specialty ?? null,
      it.style ?? null,
      it.difficulty ?? null,
      it.correction ?? null,
      it.unit,
    ]);
    digests.push(await sha256Hex(JSON.stringify(block)));
    await onBlock?.(Math.min(items.length, i + HASH_BLOCK));
  }
  return sha256Hex(digests.join('\n'));
}
