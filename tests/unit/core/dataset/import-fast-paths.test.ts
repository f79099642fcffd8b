/**
 * The import's fast paths (time-based yielding, pipelined hashing, memoised
 * label normalisation, LF-only line counting) must give exactly what the
 * plain versions gave: these tests compare against independent references.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createYielder, importDataset, yieldToEventLoop } from '../../../../src/core/dataset/import-dataset';
import { hashItems } from '../../../../src/core/dataset/stats';
import { normalizeDifficulty, normalizeSpecialty, normalizeStyle } from '../../../../src/core/dataset/normalize-labels';
import type { DatasetItem, ImportProgress } from '../../../../src/core/dataset/types';

/**
 * True when `step` let a macrotask queued before it run (i.e. it yielded to
 * the event loop). The probe is an immediate: it runs before a later
 * immediate and before any timer, whichever way the step yields.
 */
async function yielded(step: () => Promise<void>): Promise<boolean> {
  let ran = false;
  setImmediate(() => {
    ran = true;
  });
  await step();
  const result = ran;
  // Let the probe run either way so it never leaks into the next check.
  await new Promise((resolve) => setImmediate(resolve));
  return result;
}

/** A one-shot stream of fixed-size chunks. */
async function* chunks(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.slice(i, i + size);
}

/** The documented content hash, computed independently with node:crypto. */
function referenceHash(items: readonly DatasetItem[]): string {
  const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
  const digests: string[] = [];
  for (let i = 0; i < items.length; i += 1024) {
    const block = items.slice(i, i + 1024).map((it) => [
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
    digests.push(sha(JSON.stringify(block)));
  }
  return sha(digests.join('\n'));
}

describe('createYielder', () => {
  it('yieldToEventLoop lets queued tasks run', async () => {
    expect(await yielded(yieldToEventLoop)).toBe(true);
    expect(await yielded(async () => undefined)).toBe(false);
  });

  it('gives the event loop a turn only once the interval of work has passed', async () => {
    let clock = 0;
    const maybeYield = createYielder(30, () => clock);
    expect(await yielded(maybeYield)).toBe(false);
    clock = 29;
    expect(await yielded(maybeYield)).toBe(false);
    clock = 30;
    expect(await yielded(maybeYield)).toBe(true);
    // The interval restarts after a turn.
    clock = 45;
    expect(await yielded(maybeYield)).toBe(false);
    clock = 61;
    expect(await yielded(maybeYield)).toBe(true);
  });
});

describe('importDataset: streaming', () => {
  it('can be cancelled in the middle of a large import', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ id: `r${i}`, text: `第${i}条文本。`, label: i % 2 }));
    const data = new TextEncoder().encode(lines.join('\n'));
    const controller = new AbortController();
    const statuses: string[] = [];
    const run = importDataset(chunks(data, 16 * 1024), {
      fileName: 'big.jsonl',
      signal: controller.signal,
      onProgress: (p: ImportProgress) => {
        statuses.push(p.status);
        if (p.status === 'reading') controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(statuses).not.toContain('done');
  });

  it('numbers lines right in an LF CSV with multi-line quoted fields, whatever the chunking', async () => {
    const csv = 'id,text,label\n1,"第一行\n第二行\n第三行",1\n2,文本二。,maybe\n3,"甲\n乙",0\n4,,1\n';
    for (const size of [1, 3, 1000]) {
      const r = await importDataset(chunks(new TextEncoder().encode(csv), size), { fileName: 'lf.csv' });
      expect(r.items.map((i) => [i.id, i.text])).toEqual([
        ['1', '第一行\n第二行\n第三行'],
        ['3', '甲\n乙'],
      ]);
      expect(r.rejected.map((x) => [x.row, x.line, x.reason])).toEqual([
        [2, 5, 'unparseable_label'],
        [4, 8, 'missing_text'],
      ]);
    }
  });

  it('numbers lines the same with lone CR line breaks', async () => {
    const r = await importDataset('id,text,label\r1,"a\rb",1\r2,文本,maybe\r', { fileName: 'cr.csv' });
    expect(r.items.map((i) => i.text)).toEqual(['a\rb']);
    expect(r.rejected.map((x) => [x.row, x.line])).toEqual([[2, 4]]);
  });
});

describe('hashItems', () => {
  it('matches the documented block hash over many blocks of uneven size, calling back in order', async () => {
    const items: DatasetItem[] = [];
    for (let i = 0; i < 5_300; i++) {
      // Blocks shrink and grow so reused encoding buffers are sometimes larger than the block.
      const long = Math.floor(i / 1024) % 2 === 0;
      const text = `${'胰岛素由胰岛β细胞分泌'.repeat(long ? 12 : 1)}𠀀"\\${i}`;
      const item: DatasetItem = { id: `h${i}`, text, hasError: i % 3 === 0, gold: [], unit: 'span' };
      if (item.hasError) {
        item.gold.push({ start: 0, end: 3, text: text.slice(0, 3), placed: true, approximate: false });
        item.errorType = 'conceptual';
      }
      if (i % 5 === 0) item.difficulty = 1 + (i % 5);
      items.push(item);
    }
    const done: number[] = [];
    const hash = await hashItems(items, (n) => {
      done.push(n);
    });
    expect(hash).toBe(referenceHash(items));
    expect(done).toEqual([1024, 2048, 3072, 4096, 5120, 5300]);
    // Any change to one item changes the hash.
    const changed = items.map((it, i) => (i === 4_000 ? { ...it, text: `${it.text}。` } : it));
    expect(await hashItems(changed)).not.toBe(hash);
  });

  it('matches the reference for a block of very long texts (encoded without the reused buffer)', async () => {
    const items: DatasetItem[] = [0, 1, 2].map((i) => ({ id: `l${i}`, text: `${'a'.repeat(1_500_000)}${'医'.repeat(500_000)}${i}`, hasError: false, gold: [], unit: 'span' }));
    items.push({ id: 'short', text: '短文本。', hasError: false, gold: [], unit: 'span' });
    expect(await hashItems(items)).toBe(referenceHash(items));
  });

  it('matches the reference for an imported file and for no items', async () => {
    const r = await importDataset('id,text,label,error_text\n1,文本一有误。,1,有误\n2,文本二。,0,\n');
    expect(r.contentHash).toBe(referenceHash(r.items));
    expect(await hashItems([])).toBe(referenceHash([]));
  });
});

describe('label normalisation memo', () => {
  it('keeps giving the same answers past the memo limit, trimmed, and returns fresh objects', () => {
    for (let i = 0; i < 5_000; i++) expect(normalizeStyle(` 风格${i} `)).toEqual({ code: `风格${i}`, known: false });
    expect(normalizeStyle('  新闻  ')).toEqual({ code: 'news', known: true });
    expect(normalizeStyle('风格4999')).toEqual({ code: '风格4999', known: false });
    expect(normalizeStyle('NA')).toBeUndefined();
    expect(normalizeStyle('   ')).toBeUndefined();
    const first = normalizeSpecialty('内科');
    expect(first).toEqual({ code: 'internal_medicine', known: true });
    if (first) first.code = 'changed';
    expect(normalizeSpecialty('内科')).toEqual({ code: 'internal_medicine', known: true });
  });

  it('reads numeric difficulties as before: 1–5 as is, shares binned, others refused', () => {
    for (const d of [1, 2, 3, 4, 5]) expect(normalizeDifficulty(d)).toBe(d);
    expect(normalizeDifficulty(0)).toBe(1);
    expect(normalizeDifficulty(0.45)).toBe(3);
    expect(normalizeDifficulty(2.5)).toBeNull();
    expect(normalizeDifficulty(6)).toBeNull();
    expect(normalizeDifficulty(-1)).toBeNull();
  });
});

describe('hashItems with a synchronous SHA-256 (the CLI passes Node\'s)', () => {
  const nodeSha = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

  it('gives the Web Crypto hash and the same callbacks, lone surrogates and long texts included', async () => {
    const items: DatasetItem[] = [];
    for (let i = 0; i < 2_500; i++) {
      const text = `${i % 500 === 0 ? '长'.repeat(200_000) : '患者服用阿司匹林。'}\ud800"\\${i}`;
      items.push({ id: `s${i}`, text, hasError: i % 2 === 0, gold: i % 2 === 0 ? [{ start: 0, end: 2, text: text.slice(0, 2), placed: true, approximate: false }] : [], unit: 'span' });
    }
    const webDone: number[] = [];
    const syncDone: number[] = [];
    const web = await hashItems(items, (n) => {
      webDone.push(n);
    });
    const sync = await hashItems(items, (n) => {
      syncDone.push(n);
    }, nodeSha);
    expect(sync).toBe(web);
    expect(sync).toBe(referenceHash(items));
    expect(syncDone).toEqual(webDone);
    expect(await hashItems([], undefined, nodeSha)).toBe(await hashItems([]));
  });

  it('gives an import the same content hash through ImportOptions.sha256', async () => {
    const text = makeHostileText();
    const plain = await importDataset(text, { fileName: 'h.jsonl' });
    const withSync = await importDataset(text, { fileName: 'h.jsonl', sha256: nodeSha });
    expect(withSync).toEqual(plain);
  });
});

function makeHostileText(): string {
  return `${Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: `r${i % 2900}`, text: i % 50 === 0 ? '' : `第${i}行文本。`, has_error: i % 3 === 0 ? 'maybe' : i % 2 })).join('\n')}\n`;
}
