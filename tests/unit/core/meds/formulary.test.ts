import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { importFormulary, parseDoseCell, parseNumber, FormularyFileError } from '../../../../src/core/meds';
import { FIXTURE_DIR } from './eval-helpers';
import { buildXlsx } from './xlsx-fixture';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('formulary cells', () => {
  it.each([
    ['1 g', 1000, 'mass'],
    ['500mg', 500, 'mass'],
    ['250 μg', 0.25, 'mass'],
    ['250ug', 0.25, 'mass'],
    ['125 mcg', 0.125, 'mass'],
    ['0.5克', 500, 'mass'],
    ['500毫克', 500, 'mass'],
    ['200微克', 0.2, 'mass'],
    ['10 mL', 10, 'volume'],
    ['10毫升', 10, 'volume'],
    ['4000 IU', 4000, 'iu'],
    ['400单位', 400, 'iu'],
    ['80万单位', 800000, 'iu'],
    ['１ｇ', 1000, 'mass'],
  ])('%s → %d (%s)', (cell, value, dim) => {
    const r = parseDoseCell(cell, false);
    expect(r).toEqual({ dose: expect.objectContaining({ value: expect.closeTo(value, 9), dim }) });
  });

  it('reads per-kg cells with or without /kg, and refuses /kg in a total column', () => {
    expect(parseDoseCell('15 mg/kg', true)).toEqual({ dose: expect.objectContaining({ value: 15, dim: 'mass', text: '15 mg/kg' }) });
    expect(parseDoseCell('15mg', true)).toEqual({ dose: expect.objectContaining({ value: 15 }) });
    expect(parseDoseCell('15 mg/kg', false)).toEqual({ error: expect.stringContaining('每千克') });
  });

  it('says what is wrong with a bad cell', () => {
    expect(parseDoseCell('3 片', false)).toEqual({ error: expect.stringContaining('无法识别的单位“片”') });
    expect(parseDoseCell('一点点 mg', false)).toEqual({ error: expect.stringContaining('无法读取的数字') });
    expect(parseDoseCell('500', false)).toEqual({ error: expect.stringContaining('缺少单位') });
  });

  it('reads Arabic and Chinese numerals, 半, decimals and fractions', () => {
    expect(parseNumber('三')).toBe(3);
    expect(parseNumber('两')).toBe(2);
    expect(parseNumber('十五')).toBe(15);
    expect(parseNumber('二十')).toBe(20);
    expect(parseNumber('一百二十')).toBe(120);
    expect(parseNumber('两百五十')).toBe(250);
    expect(parseNumber('一千')).toBe(1000);
    expect(parseNumber('半')).toBe(0.5);
    expect(parseNumber('零点五')).toBe(0.5);
    expect(parseNumber('0.25')).toBe(0.25);
    expect(parseNumber('1/2')).toBe(0.5);
  });
});

describe('importFormulary', () => {
  it('reads the Chinese-header CSV fixture: every row, with row numbers as a person counts them', async () => {
    const f = await importFormulary(new Uint8Array(readFileSync(`${FIXTURE_DIR}formulary.csv`)), { fileName: 'formulary.csv' });
    expect(f.format).toBe('csv');
    expect(f.bad).toEqual([]);
    expect(f.rows).toHaveLength(19);
    const first = f.rows[0];
    expect(first).toMatchObject({ row: 2, name: '对乙酰氨基酚', aliases: ['扑热息痛', '泰诺林', '必理通'], population: '成人', route: '口服', maxTimesPerDay: 4, minIntervalH: 4 });
    expect(first?.maxSingle).toMatchObject({ value: 1000, dim: 'mass' });
    expect(f.rows.find((r) => r.name === '青霉素' && r.route === '肌注')?.maxSingle).toMatchObject({ value: 800000, dim: 'iu' });
    expect(f.rows.find((r) => r.name === '左氧氟沙星')?.contraindicated).toEqual(['18岁以下', '孕妇', '哺乳期妇女']);
    expect(f.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads JSON with English keys, lists bad rows with their numbers and keeps the rest', async () => {
    const f = await importFormulary(new Uint8Array(readFileSync(`${FIXTURE_DIR}formulary-b.json`)), { fileName: 'formulary-b.json' });
    expect(f.format).toBe('json');
    expect(f.rows.map((r) => r.name)).toContain('氨氯地平');
    expect(f.rows.find((r) => r.name === '氨氯地平')).toMatchObject({ population: '成人', route: '口服', aliases: ['苯磺酸氨氯地平', '络活喜'] });
    expect(f.bad.map((b) => [b.row, b.field])).toEqual([
      [15, 'max_single'],
      [16, 'name'],
      [17, 'max_single'],
    ]);
    expect(f.bad[0]?.message).toContain('第 15 行');
    expect(f.rows).toHaveLength(14);
  });

  it('reads TSV with English headers and a header mapping for unusual column names', async () => {
    const tsv = 'drug\tbrand\tgroup\tpath\tmax_single\tmax_daily\tmax_times_per_day\tsource\n布洛芬\t美林;芬必得\tadult\tpo\t400 mg\t1.2 g\t4\t说明书\n';
    const f = await importFormulary(enc(tsv), { fileName: 'f.tsv', mapping: { route: 'path' } });
    expect(f.format).toBe('tsv');
    expect(f.mapping).toMatchObject({ name: 'drug', aliases: 'brand', population: 'group', route: 'path' });
    expect(f.rows[0]).toMatchObject({ name: '布洛芬', aliases: ['美林', '芬必得'], population: '成人', route: '口服', maxTimesPerDay: 4 });
  });

  it('takes the unit for bare numbers from the header ("单次最大剂量（mg）", "max_daily_mg")', async () => {
    const csv = '药品名称,单次最大剂量（mg）,每日最大剂量(g),每千克单次最大剂量（mg/kg）,最短间隔（小时）,max_times_per_day\n布洛芬,400,2.4,10,4,4\n';
    const f = await importFormulary(enc(csv), { fileName: 'f.csv' });
    expect(f.bad).toEqual([]);
    expect(f.rows[0]).toMatchObject({ name: '布洛芬', maxSingle: { value: 400 }, maxDaily: { value: 2400 }, maxSinglePerKg: { value: 10 }, minIntervalH: 4, maxTimesPerDay: 4 });
    const g = await importFormulary(enc('name,max_single_mg,max_daily_mg\n地高辛,0.5,0.5\n'), { fileName: 'g.csv' });
    expect(g.rows[0]).toMatchObject({ maxSingle: { value: 0.5 }, maxDaily: { value: 0.5 } });
  });

  it('reads a real XLSX file through read-excel-file', async () => {
    const bytes = buildXlsx([
      ['通用名', '别名', '人群', '途径', '单次最大剂量', '每日最大剂量', '每日最多次数', '禁忌人群', '来源'],
      ['对乙酰氨基酚', '泰诺林', '成人', '口服', '1 g', '4 g', 4, '', '说明书'],
      ['', '无名', '', '', '1 g', '', '', '', ''],
      ['布洛芬', '', '成人', '', '0.4 克', '1.2克', '', '孕妇', '说明书'],
    ]);
    const f = await importFormulary(bytes, { fileName: '处方集.xlsx' });
    expect(f.format).toBe('xlsx');
    expect(f.rows.map((r) => [r.row, r.name, r.maxSingle?.value])).toEqual([
      [2, '对乙酰氨基酚', 1000],
      [4, '布洛芬', 400],
    ]);
    expect(f.bad).toEqual([expect.objectContaining({ row: 3, field: 'name' })]);
  });

  it('names a missing name column and an unreadable file clearly', async () => {
    const f = await importFormulary(enc('drug_x,dose\na,1 g\n'), { fileName: 'x.csv' });
    expect(f.rows).toEqual([]);
    expect(f.bad[0]?.message).toContain('通用名');
    await expect(importFormulary(enc('{ not json'), { fileName: 'x.json' })).rejects.toBeInstanceOf(FormularyFileError);
    await expect(importFormulary(new Uint8Array([0x50, 0x4b, 1, 2, 3]), { fileName: 'x.xlsx' })).rejects.toBeInstanceOf(FormularyFileError);
  });
});
