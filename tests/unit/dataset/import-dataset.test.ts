import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { importDataset } from '../../../src/core/dataset/import-dataset';
import { layoutSignature } from '../../../src/core/dataset/field-mapping';
import type { ImportProgress } from '../../../src/core/dataset/types';
import { MedfactError } from '../../../src/protocol/errors';

const dir = join(import.meta.dirname, '../../fixtures/datasets');
const bytes = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));
const blob = (name: string): Blob => new Blob([bytes(name) as Uint8Array<ArrayBuffer>]);

/** A one-shot stream of tiny chunks, splitting multi-byte characters and CRLF pairs. */
async function* trickle(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.slice(i, i + size);
}

describe('importDataset: formats', () => {
  it('reads JSONL with English columns, offsets and text gold, and normalises labels', async () => {
    const r = await importDataset(blob('basic.jsonl'), { fileName: 'basic.jsonl' });
    expect(r.format).toBe('jsonl');
    expect(r.rejected).toEqual([]);
    expect(r.items.map((i) => [i.id, i.hasError])).toEqual([
      ['a1', true],
      ['a2', false],
      ['a3', true],
      ['a4', false],
      ['a5', true],
      ['a6', true],
    ]);
    const a1 = r.items[0]!;
    expect(a1.gold).toEqual([{ start: 6, end: 9, text: 'α细胞', placed: true, approximate: false }]);
    expect(a1).toMatchObject({ errorType: 'conceptual', specialty: 'internal_medicine', style: 'encyclopedia', difficulty: 2, correction: 'β细胞' });
    // text-only gold placed with alignQuote
    const a3 = r.items[2]!;
    expect(a3.text.slice(a3.gold[0]!.start, a3.gold[0]!.end)).toBe('美国纽约');
    expect(a3).toMatchObject({ errorType: 'general_fact', specialty: 'public_health', style: 'news', difficulty: 3 });
    expect(r.items[4]).toMatchObject({ errorType: 'terminological' });
    expect(r.items[5]).toMatchObject({ errorType: 'temporal', specialty: 'obgyn' });
    expect(r.items[1]).toMatchObject({ specialty: 'pediatrics', style: 'qa', gold: [] });
    expect(r.items[3]).toMatchObject({ specialty: 'ophthalmology_ent', style: 'misinformation' });
    expect(r.stats).toMatchObject({ total: 6, withError: 4, correct: 2, goldSpans: 4, unplacedGold: 0 });
    expect(r.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads a CSV with BOM, CRLF, Chinese headers and a quoted field holding a line break', async () => {
    const r = await importDataset(blob('zh-defects.csv'), { fileName: 'zh-defects.csv' });
    expect(r.decoding).toMatchObject({ encoding: 'utf-8', bom: true });
    expect(r.mapping).toMatchObject({ id: '编号', text: '文本', label: '是否有误', errorSpan: '错误片段', correction: '修正', errorType: '错误类型', specialty: '科室', style: '文体', difficulty: '难度' });
    expect(r.columns[0]).toBe('编号');
    const first = r.items[0]!;
    expect(first.text).toBe('胰岛素由胰岛α细胞分泌。\r\n它是唯一降血糖的激素。');
    expect(first.text.slice(first.gold[0]!.start, first.gold[0]!.end)).toBe('α细胞');
    expect(r.items[1]!.text).toBe('布洛芬一般用于6个月以上的婴幼儿，"退热"效果好。');
    expect(r.items[1]!.text.endsWith('\r')).toBe(false);
  });

  it('lists every defective row with its row number, line and reason; nothing is dropped silently', async () => {
    const r = await importDataset(blob('zh-defects.csv'), { fileName: 'zh-defects.csv' });
    expect(r.rejected.map((x) => [x.row, x.line, x.reason])).toEqual([
      [4, 6, 'duplicate_id'],
      [5, 7, 'empty_label'],
      [6, 8, 'unparseable_label'],
      [8, 10, 'missing_text'],
    ]);
    expect(r.items.map((i) => i.id)).toEqual(['1', '2', '3', '7', '9']);
    // every data row is either an item or a rejection
    expect(r.items.length + r.rejected.length).toBe(9);
    const unplaced = r.items.find((i) => i.id === '7')!;
    expect(unplaced.gold).toEqual([{ start: -1, end: -1, text: '完全不相干的片段', placed: false, approximate: false }]);
    expect(r.stats.unplacedGold).toBe(1);
    expect(r.warnings.map((w) => [w.id, w.reason])).toEqual([
      ['7', 'gold_not_placed'],
      ['9', 'unknown_specialty'],
      ['9', 'bad_difficulty'],
    ]);
    expect(r.stats.rejectedByReason).toEqual({ duplicate_id: 1, empty_label: 1, unparseable_label: 1, missing_text: 1 });
  });

  it('gives the same result whatever the chunking (tiny chunks split characters, CRLF and quoted fields)', async () => {
    const whole = await importDataset(blob('zh-defects.csv'), { fileName: 'x.csv' });
    for (const size of [1, 2, 3, 7]) {
      const r = await importDataset(trickle(bytes('zh-defects.csv'), size), { fileName: 'x.csv' });
      expect(r.items).toEqual(whole.items);
      expect(r.rejected).toEqual(whole.rejected);
      expect(r.contentHash).toBe(whole.contentHash);
    }
  });

  it('reads TSV', async () => {
    const r = await importDataset(blob('basic.tsv'), { fileName: 'basic.tsv' });
    expect(r.format).toBe('tsv');
    expect(r.items).toHaveLength(2);
    expect(r.items[1]!.gold[0]).toMatchObject({ text: '胰腺', placed: true });
  });

  it('reads a JSON object wrapper (skipping a non-record array) and a plain array, chunked', async () => {
    const r = await importDataset(trickle(bytes('wrapper.json'), 5), { fileName: 'wrapper.json' });
    expect(r.format).toBe('json');
    expect(r.jsonKey).toBe('data');
    expect(r.items.map((i) => [i.id, i.hasError])).toEqual([
      ['j1', true],
      ['j2', false],
    ]);
    expect(r.rejected).toEqual([expect.objectContaining({ row: 3, reason: 'not_an_object' })]);
    const a = await importDataset(blob('array.json'));
    expect(a.format).toBe('json');
    expect(a.items.map((i) => i.id)).toEqual(['j1', 'j2']);
  });

  it('detects invalid UTF-8 and decodes GB18030, saying so', async () => {
    const r = await importDataset(blob('gb18030.csv'), { fileName: 'gb18030.csv' });
    expect(r.decoding.encoding).toBe('gb18030');
    expect(r.items[0]!.text).toBe('中医认为麻黄汤主治外感风寒表实证。');
    expect(r.notes.join(' ')).toMatch(/GB18030/);
  });

  it('checks offsets: out of range or reversed are rejected; offsets that miss the gold text are re-placed with a warning', async () => {
    const r = await importDataset(blob('offsets.jsonl'), { fileName: 'offsets.jsonl' });
    expect(r.rejected.map((x) => [x.id, x.reason])).toEqual([
      ['o2', 'bad_offsets'],
      ['o3', 'bad_offsets'],
    ]);
    expect(r.items.find((i) => i.id === 'o1')!.gold[0]).toMatchObject({ start: 0, end: 4, text: '二甲双胍', placed: true });
    expect(r.items.find((i) => i.id === 'o4')!.gold[0]).toMatchObject({ start: 5, end: 9, placed: true });
    expect(r.warnings.map((w) => [w.id, w.reason])).toEqual([
      ['o4', 'offsets_text_mismatch'],
      ['o5', 'no_gold_span'],
    ]);
  });

  it('fails with a typed error when the text column is missing, and accepts a user mapping', async () => {
    await expect(importDataset(blob('missing-text.csv'), { fileName: 'm.csv' })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/text/) });
    await expect(importDataset(blob('basic.tsv'), { fileName: 'b.tsv', mapping: { text: 'nope' } })).rejects.toBeInstanceOf(MedfactError);
    const r = await importDataset('编号,正文,判定\n1,文本一。,0\n', { mapping: { label: '判定' } });
    expect(r.mappingOrigin.label).toBe('user');
    expect(r.items).toHaveLength(1);
  });

  it('applies the MEDEC preset: sentence gold unit, the error sentence placed in the text', async () => {
    const r = await importDataset(blob('medec-like.csv'), { fileName: 'medec.csv' });
    expect(r.preset).toBe('medec');
    expect(r.unit).toBe('sentence');
    const it0 = r.items[0]!;
    expect(it0.text.slice(it0.gold[0]!.start, it0.gold[0]!.end)).toBe('He is given oral amoxicillin.');
    expect(it0).toMatchObject({ errorType: 'management', correction: 'He is given intravenous ceftriaxone.', unit: 'sentence' });
    expect(r.items[1]).toMatchObject({ hasError: false, gold: [] });
    expect(r.warnings).toEqual([]);
  });

  it('reads Parquet written by hyparquet-writer, from a Blob and from a stream', async () => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'id', data: ['p1', 'p2', 'p3'], type: 'STRING' },
        { name: 'text', data: ['胰岛素由胰岛α细胞分泌。', '叶酸可降低神经管缺陷风险。', ''], type: 'STRING' },
        { name: 'has_error', data: [true, false, false], type: 'BOOLEAN' },
        { name: 'error_text', data: ['α细胞', null, null], type: 'STRING' },
        { name: 'difficulty', data: [1, 2, 3], type: 'INT32' },
      ],
      rowGroupSize: 2,
    });
    for (const source of [new Blob([buffer]), trickle(new Uint8Array(buffer), 100)]) {
      const r = await importDataset(source, { fileName: 'x.parquet' });
      expect(r.format).toBe('parquet');
      expect(r.items.map((i) => [i.id, i.hasError, i.difficulty])).toEqual([
        ['p1', true, 1],
        ['p2', false, 2],
      ]);
      expect(r.items[0]!.gold[0]).toMatchObject({ start: 6, end: 9, placed: true });
      expect(r.rejected).toEqual([expect.objectContaining({ row: 3, reason: 'missing_text' })]);
    }
  });

  it('imports 100,000 generated rows, reporting progress that never goes down and ends at 1', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const err = i % 2 === 1;
      lines.push(JSON.stringify({ id: `r${i}`, text: `第${i}条：胰岛素由胰岛β细胞分泌，可以降低血糖。`, label: err ? 1 : 0, error_text: err ? '降低血糖' : null, specialty: i % 3 === 0 ? '内科' : '外科' }));
    }
    lines.push(JSON.stringify({ id: 'r5', text: 'dup', label: 0 }));
    const data = new TextEncoder().encode(lines.join('\n'));
    const fractions: number[] = [];
    const r = await importDataset(new Blob([data]), {
      fileName: 'big.jsonl',
      onProgress: (p: ImportProgress) => fractions.push(p.fraction),
    });
    expect(r.items).toHaveLength(100_000);
    expect(r.stats).toMatchObject({ withError: 50_000, correct: 50_000, goldSpans: 50_000, unplacedGold: 0, bySpecialty: { internal_medicine: 33_334, surgery: 66_666 } });
    expect(r.rejected).toEqual([expect.objectContaining({ row: 100_001, reason: 'duplicate_id', id: 'r5' })]);
    expect(fractions.length).toBeGreaterThan(2);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!);
    expect(fractions.at(-1)).toBe(1);
  });

  it('stops with an AbortError when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(importDataset(blob('basic.jsonl'), { signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('gives the same content hash for the same data in different formats, and a layout signature independent of column order', async () => {
    const csv = await importDataset('id,text,label\n1,文本一。,0\n2,文本二。,1\n');
    const jsonl = await importDataset('{"id":"1","text":"文本一。","label":0}\n{"id":"2","text":"文本二。","label":1}\n');
    expect(jsonl.contentHash).toBe(csv.contentHash);
    expect(await layoutSignature(['b', 'a'])).toBe(await layoutSignature(['a', 'b']));
    expect(await layoutSignature(['a', 'c'])).not.toBe(await layoutSignature(['a', 'b']));
  });
});
