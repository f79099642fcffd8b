import { describe, expect, it } from 'vitest';
import { groupPassageRows, LexicalIndex, parsePassagesFile, reciprocalRankFusion, retrieveForText } from '../../../../src/core/evidence';

describe('reciprocal-rank fusion', () => {
  it('scores Σ 1/(60 + rank) and merges duplicates', () => {
    const fused = reciprocalRankFusion([[{ id: 'a' }, { id: 'b' }], [{ id: 'b' }, { id: 'c' }]]);
    expect(fused.map((h) => h.id)).toEqual(['b', 'a', 'c']);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(fused[1]!.score).toBeCloseTo(1 / 61, 12);
  });
});

describe('retrieveForText', () => {
  const idx = new LexicalIndex();
  idx.add([
    { id: 'asp', text: '阿司匹林用于预防心肌梗死时建议每日100mg。' },
    { id: 'war', text: '华法林的目标INR为2.0～3.0，应定期监测。' },
    { id: 'met', text: '二甲双胍禁用于eGFR低于45的患者。' },
    { id: 'oth', text: '乙型肝炎疫苗按0、1、6个月程序接种。' },
  ]);

  it('retrieves top-k per chunk and per sentence, deduplicated, with the queries that found each', () => {
    const text = '患者每日服用阿司匹林300mg预防心梗。华法林目标INR为4.0。';
    const [chunk] = retrieveForText(idx, text, { k: 1 });
    const ids = chunk!.hits.map((h) => h.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['asp', 'war']));
    expect(ids).not.toContain('oth');
    const war = chunk!.hits.find((h) => h.id === 'war')!;
    expect(war.foundBy.some((q) => text.slice(q.start, q.end) === '华法林目标INR为4.0。')).toBe(true);
    expect(chunk!.hits.map((h) => h.rank)).toEqual(ids.map((_, i) => i + 1));
  });

  it('fuses a dense ranking when one is given', () => {
    const dense = { search: () => [{ id: 'oth', score: 1 }] };
    const [chunk] = retrieveForText(idx, '阿司匹林每日100mg。', { k: 2, dense });
    expect(chunk!.hits.map((h) => h.id)).toContain('oth');
  });
});

describe('passages files', () => {
  it('reads JSONL rows with their own ids and reports bad rows by number and field', async () => {
    const text = [
      JSON.stringify({ id: 'p1', title: '指南A', text: '第一段', page: 3 }),
      JSON.stringify({ id: 'p2', title: '指南A', text: '第二段', page: 'x' }),
      JSON.stringify({ title: '指南B', text: '无编号' }),
      JSON.stringify({ id: 'p1', text: '重复' }),
      '{bad json',
      JSON.stringify({ id: 7, title: '指南B', text: '数字编号' }),
    ].join('\n');
    const { rows, issues } = await parsePassagesFile(text, 'jsonl');
    expect(rows.map((r) => r.id)).toEqual(['p1', 'p2', '7']);
    expect(rows[0]!.page).toBe(3);
    expect(rows[1]!.page).toBeNull();
    expect(issues.map((i) => [i.row, i.field])).toEqual([
      [2, 'page'],
      [3, 'id'],
      [4, 'id'],
      [5, ''],
    ]);
    const docs = groupPassageRows(rows);
    expect(docs.map((d) => d.title)).toEqual(['指南A', '指南B']);
    const a = docs[0]!;
    for (const p of a.passages) expect(a.text.slice(p.start, p.end)).toBe(p.text);
  });

  it('reads CSV with the documented columns, quoted commas and line breaks kept', async () => {
    const csv = 'id,title,text,source,url,page\nc1,说明书,"成人一次0.5g，每日3次,\n饭后服用",厂家,https://example.org/a,1\nc2,说明书,,厂家,,\n';
    const { rows, issues } = await parsePassagesFile(csv, 'csv');
    expect(rows).toEqual([{ id: 'c1', title: '说明书', text: '成人一次0.5g，每日3次,\n饭后服用', source: '厂家', url: 'https://example.org/a', page: 1 }]);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.field).toBe('text');
    const missing = await parsePassagesFile('name,notes\na,b\n', 'csv');
    expect(missing.issues.map((i) => i.field)).toEqual(expect.arrayContaining(['id', 'text']));
  });
});

describe('passages files from public retrieval sets', () => {
  it('accepts "contents"/"passage" for the text column and "doc_title" for the title', async () => {
    const { rows, issues } = await parsePassagesFile('{"id":"1","contents":"阿司匹林"}\n{"id":"2","passage":"华法林","doc_title":"指南"}\n', 'jsonl');
    expect(issues).toEqual([]);
    expect(rows.map((r) => [r.id, r.text, r.title])).toEqual([
      ['1', '阿司匹林', ''],
      ['2', '华法林', '指南'],
    ]);
  });
});
