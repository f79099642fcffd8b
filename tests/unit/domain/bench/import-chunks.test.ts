/**
 * The import's items cross from the worker in slices: every item arrives
 * once, in file order, no message carries more than IMPORT_CHUNK_ITEMS, and
 * the page's result equals the worker's.
 */
import { describe, expect, it } from 'vitest';
import { createImportCollector, IMPORT_CHUNK_ITEMS, sendImportInChunks } from '../../../../src/domain/bench/import-chunks';
import { importDataset } from '../../../../src/core/dataset/import-dataset';

describe('import chunks', () => {
  it('splits a 5,001-row import into slices and puts it back identically', async () => {
    const rows = Array.from({ length: 5001 }, (_, i) => JSON.stringify({ id: `r${i}`, text: `第${i}行：阿莫西林每次0.5克。`, has_error: false }));
    const imported = await importDataset(new Blob([rows.join('\n')]), { fileName: 'rows.jsonl' });
    expect(imported.items).toHaveLength(5001);
    const sizes: number[] = [];
    const collect = createImportCollector();
    const sent = sendImportInChunks(imported, (items) => {
      sizes.push(items.length);
      collect.onChunk(structuredClone(items));
    });
    expect(sent.items).toEqual([]);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(IMPORT_CHUNK_ITEMS);
    expect(sizes.length).toBe(Math.ceil(5001 / IMPORT_CHUNK_ITEMS));
    const back = collect.finish(structuredClone(sent));
    expect(back.items.map((i) => i.id)).toEqual(imported.items.map((i) => i.id));
    expect(back).toEqual(imported);
  });

  it('keeps items a result already carries (an older worker that sends them whole)', async () => {
    const imported = await importDataset(new Blob(['{"id":"a","text":"文本","has_error":false}\n']), { fileName: 'a.jsonl' });
    expect(createImportCollector().finish(imported).items.map((i) => i.id)).toEqual(['a']);
  });
});
