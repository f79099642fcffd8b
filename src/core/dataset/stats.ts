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

/** Block digests in flight at once: Web Crypto hashes off the main thread, so serialising the next block overlaps with it. */
const HASH_IN_FLIGHT = 4;
/** Blocks longer than this (UTF-16 units) are encoded without a reused buffer. */
const REUSE_LIMIT = 4 * 1024 * 1024;

function blockJson(items: readonly DatasetItem[], from: number, to: number): string {
  const block: unknown[] = [];
  for (let i = from; i < to; i++) {
    const it = items[i] as DatasetItem;
    block.push([
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
  }
  return JSON.stringify(block);
}

/**
 * A synchronous SHA-256 (lower-case hex) of a string's UTF-8 bytes, such as
 * Node's `createHash('sha256').update(text).digest('hex')`. Given one, the
 * content hash skips encoding every block into a buffer for Web Crypto: the
 * same digests, about 0.1 s less CPU for 100k items (issue 15).
 */
export type Sha256Text = (text: string) => string;

/** hashItems with a synchronous digest: the same blocks, the same hash. */
async function hashItemsWith(items: readonly DatasetItem[], sha256: Sha256Text, onBlock?: (done: number) => Promise<void> | void): Promise<string> {
  const digests: string[] = [];
  for (let i = 0; i < items.length; i += HASH_BLOCK) {
    const end = Math.min(items.length, i + HASH_BLOCK);
    digests.push(sha256(blockJson(items, i, end)));
    await onBlock?.(end);
  }
  return sha256(digests.join('\n'));
}

/**
 * SHA-256 over the canonical items: each block of 1,024 items is hashed as
 * JSON, then the block digests are hashed together. The same content in CSV,
 * JSONL or Parquet gives the same hash; row order matters. `onBlock` is
 * called in order with the items hashed so far.
 */
export async function hashItems(items: readonly DatasetItem[], onBlock?: (done: number) => Promise<void> | void, sha256?: Sha256Text): Promise<string> {
  if (sha256) return hashItemsWith(items, sha256, onBlock);
  const digests: string[] = [];
  // Digests are started without waiting for the previous ones (awaiting each in turn left the thread idle), at most HASH_IN_FLIGHT at once.
  const pending: { digest: Promise<string>; done: number }[] = [];
  // One reusable UTF-8 buffer per in-flight slot (encodeInto is about twice as fast as encode and allocates nothing);
  // a slot is written again only after its previous digest settled.
  const buffers: Uint8Array[] = [];
  const encoder = new TextEncoder();
  const settleOldest = async (): Promise<void> => {
    const oldest = pending.shift();
    if (!oldest) return;
    digests.push(await oldest.digest);
    await onBlock?.(oldest.done);
  };
  try {
    for (let i = 0, slot = 0; i < items.length; i += HASH_BLOCK, slot = (slot + 1) % HASH_IN_FLIGHT) {
      const end = Math.min(items.length, i + HASH_BLOCK);
      const json = blockJson(items, i, end);
      let bytes: Uint8Array;
      if (json.length > REUSE_LIMIT) {
        // A block of huge texts: a 3× worst-case buffer would waste memory; encode to the exact size instead.
        bytes = encoder.encode(json);
      } else {
        let buffer = buffers[slot];
        // UTF-8 needs at most 3 bytes per UTF-16 code unit.
        if (!buffer || buffer.byteLength < json.length * 3) buffer = buffers[slot] = new Uint8Array(json.length * 3);
        bytes = buffer.subarray(0, encoder.encodeInto(json, buffer).written);
      }
      pending.push({ digest: sha256Hex(bytes), done: end });
      if (pending.length >= HASH_IN_FLIGHT) await settleOldest();
    }
    while (pending.length > 0) await settleOldest();
  } finally {
    // A failed digest or callback must not leave rejections unhandled.
    for (const p of pending) p.digest.catch(() => undefined);
  }
  return sha256Hex(digests.join('\n'));
}
