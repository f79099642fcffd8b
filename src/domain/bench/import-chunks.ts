/**
 * A dataset import's items cross from the bench worker to the page in
 * slices (chunk messages) instead of inside the result: one message with
 * 100,000 items was a 150–200 ms main-thread task to deserialise (the
 * Worker.onmessage long task of issue 15); each slice is a few ms. The
 * result then carries no items and the page puts them back together.
 */
import type { DatasetItem, ImportResult } from '../../core/dataset/types';

/** Items per chunk message (~2–4 ms to deserialise in Chromium). */
export const IMPORT_CHUNK_ITEMS = 2_000;

/** Worker side: sends the items in slices and returns the result without them. */
export function sendImportInChunks(result: ImportResult, chunk: (items: DatasetItem[]) => void): ImportResult {
  for (let from = 0; from < result.items.length; from += IMPORT_CHUNK_ITEMS) chunk(result.items.slice(from, from + IMPORT_CHUNK_ITEMS));
  return { ...result, items: [] };
}

/** Page side: collects the slices (in order) and puts them back into the result. */
export function createImportCollector(): { onChunk: (items: DatasetItem[]) => void; finish: (result: ImportResult) => ImportResult } {
  const parts: DatasetItem[][] = [];
  return {
    onChunk: (items) => {
      parts.push(items);
    },
    finish: (result) => ({ ...result, items: result.items.length > 0 ? result.items : parts.flat() }),
  };
}
