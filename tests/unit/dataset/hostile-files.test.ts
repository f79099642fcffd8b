/**
 * Hostile and unusual dataset files: each case is a way a file used to be
 * misread silently (inverted labels, mojibake, swallowed rows) or refused
 * with an unclear message. Every import must account for every row
 * (rows = imported + rejected) and every message must name the file.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { importDataset } from '../../../src/core/dataset/import-dataset';
import type { ImportResult } from '../../../src/core/dataset/types';
import { MedfactError } from '../../../src/protocol/errors';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const blob = (bytes: Uint8Array | string, name: string): File =>
  new File([typeof bytes === 'string' ? bytes : (bytes as Uint8Array<ArrayBuffer>)], name);

function utf16(s: string, littleEndian: boolean, bom = false): Uint8Array {
  const out = new Uint8Array((s.length + (bom ? 1 : 0)) * 2);
  const view = new DataView(out.buffer);
  let at = 0;
  if (bom) {
    view.setUint16(0, 0xfeff, littleEndian);
    at = 2;
  }
  for (let i = 0; i < s.length; i++, at += 2) view.setUint16(at, s.charCodeAt(i), littleEndian);
  return out;
}

function utf32(s: string, littleEndian: boolean, bom = false): Uint8Array {
  const cps = [...s].map((c) => c.codePointAt(0)!);
  if (bom) cps.unshift(0xfeff);
  const out = new Uint8Array(cps.length * 4);
  const view = new DataView(out.buffer);
  cps.forEach((cp, i) => view.setUint32(i * 4, cp, littleEndian));
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function imported(bytes: Uint8Array | string, name: string, options: Parameters<typeof importDataset>[1] = {}): Promise<ImportResult> {
  const r = await importDataset(blob(bytes, name), options);
  // The accounting invariant, for every file.
  expect(r.rows).toBe(r.items.length + r.rejected.length);
  expect(r.notes.join('\n')).not.toMatch(/accounting mismatch/);
  return r;
}

async function refusal(bytes: Uint8Array | string, name: string): Promise<MedfactError> {
  try {
    await importDataset(blob(bytes, name));
  } catch (error) {
    expect(error).toBeInstanceOf(MedfactError);
    const e = error as MedfactError;
    expect(e.message.startsWith(`${name}: `)).toBe(true);
    expect(e.message.includes('\u0000')).toBe(false);
    expect(e.message).not.toMatch(/\[object Object\]|Invalid time value|Cannot read properties|Maximum call stack/);
    return e;
  }
  throw new Error(`${name} was imported, but it should have been refused`);
}

const TEXTS = ['胰岛素由胰岛β细胞分泌。', '阿司匹林成人常用量每日100毫克。', '叶酸可降低神经管缺陷风险。', '青霉素过敏者禁用阿莫西林。'];

describe('label polarity follows the meaning of the column and the words', () => {
  const words: [string, boolean][] = [
    ['正确', false],
    ['错误', true],
    ['对', false],
    ['不正确', true],
    ['有误', true],
    ['无误', false],
    ['correct', false],
    ['incorrect', true],
  ];

  for (const column of ['是否正确', 'is_correct', 'correct', '正确与否', 'label', '是否有误', 'has_error']) {
    it(`reads words by their meaning in a column named "${column}"`, async () => {
      const csv = [`id,text,${column}`, ...words.map(([w], i) => `${i + 1},${TEXTS[i % 4]},${w}`)].join('\n');
      const r = await imported(csv, 'words.csv');
      expect(r.items.map((i) => i.hasError)).toEqual(words.map(([, e]) => e));
    });
  }

  it('"is correct" columns invert yes/no, 1/0 and true/false; "has error" columns do not', async () => {
    const rows = ['1', '0', '是', '否', 'true', 'false', 'yes', 'no'];
    const expectCorrect = [false, true, false, true, false, true, false, true];
    for (const column of ['是否正确', 'is_correct', 'correct', '正确与否']) {
      const csv = [`id,text,${column}`, ...rows.map((v, i) => `${i + 1},${TEXTS[i % 4]},${v}`)].join('\n');
      const r = await imported(csv, 'polarity.csv');
      expect(r.items.map((i) => i.hasError)).toEqual(expectCorrect);
      expect(r.labelPolarity).toBe('correct');
    }
    const csv = ['id,text,是否有误', ...rows.map((v, i) => `${i + 1},${TEXTS[i % 4]},${v}`)].join('\n');
    expect((await imported(csv, 'polarity.csv')).items.map((i) => i.hasError)).toEqual(expectCorrect.map((x) => !x));
  });

  it('reads ±1 labels: -1 is the negative of +1, never "has error" because of its hyphen', async () => {
    const csv = ['id,text,label', `1,${TEXTS[0]},1`, `2,${TEXTS[1]},-1`, `3,${TEXTS[2]},+1`, `4,${TEXTS[3]},-1`].join('\n');
    expect((await imported(csv, 'pm1.csv')).items.map((i) => i.hasError)).toEqual([true, false, true, false]);
    const inverted = ['id,text,is_correct', `1,${TEXTS[0]},1`, `2,${TEXTS[1]},-1`].join('\n');
    expect((await imported(inverted, 'pm1.csv')).items.map((i) => i.hasError)).toEqual([false, true]);
  });

  it('rejects truly ambiguous labels with their rows, asks which value means "has an error", and follows the answer', async () => {
    const jsonl = TEXTS.map((t, i) => JSON.stringify({ id: `t${i}`, text: t, label: i % 2 === 0 })).join('\n');
    const r = await imported(jsonl, 'ambiguous.jsonl');
    expect(r.items).toHaveLength(0);
    expect(r.rejected.map((x) => [x.row, x.reason])).toEqual([
      [1, 'ambiguous_label'],
      [2, 'ambiguous_label'],
      [3, 'ambiguous_label'],
      [4, 'ambiguous_label'],
    ]);
    expect(r.labelQuestion).toEqual({ column: 'label', values: ['true', 'false'], rows: 4 });
    // The user says "false" means has an error: the label column asks "is it correct?".
    const answered = await imported(jsonl, 'ambiguous.jsonl', { labelMeansCorrect: true });
    expect(answered.items.map((i) => i.hasError)).toEqual([false, true, false, true]);
    expect(answered.labelQuestion).toBeUndefined();
  });
});

describe('encoding is decided on the whole file', () => {
  it('keeps UTF-8 when the file is cut in the middle of its last character, and says where', async () => {
    const full = utf8(['id,text,label', ...TEXTS.map((t, i) => `${i},${t},0`)].join('\n'));
    const cut = full.slice(0, full.length - 3); // drops ",0" and the last byte of the final "。"
    const r = await imported(cut, 'cut.csv');
    expect(r.decoding.encoding).toBe('utf-8');
    expect(r.decoding.note).toMatch(/ends in the middle of a character at byte \d+/);
    expect(r.items.slice(0, 3).map((i) => i.text)).toEqual(TEXTS.slice(0, 3));
  });

  it('keeps UTF-8 when one stray byte follows 64 KiB without Chinese, and names its byte offset', async () => {
    const ascii = Array.from({ length: 1500 }, (_, i) => `a${i},plain ascii text number ${i} padding padding,0`).join('\n');
    const before = utf8(`id,text,label\n${ascii}\nz1,${TEXTS[0]}`);
    const bytes = concat(before, new Uint8Array([0xff]), utf8(`,0\nz2,${TEXTS[1]},1\n`));
    expect(before.length).toBeGreaterThan(64 * 1024);
    const r = await imported(bytes, 'stray.csv');
    expect(r.decoding.encoding).toBe('utf-8');
    expect(r.decoding.lossy).toBe(true);
    expect(r.decoding.note).toContain(`at byte ${before.length}`);
    expect(r.items.find((i) => i.id === 'z2')?.text).toBe(TEXTS[1]);
    expect(r.items.find((i) => i.id === 'z1')?.text).toBe(`${TEXTS[0]}\uFFFD`);
  });

  it('reads a Latin-1 (Windows-1252) English file as such, not as Chinese', async () => {
    const latin = 'Text ID,Text,Error Flag\n1,Patient with caf\u00e9-au-lait spots. Na\u00efve to therapy.,0\n2,The pr\u00e9cis says r\u00e9sum\u00e9 \u00e0 la carte.,1\n';
    const bytes = Uint8Array.from(latin, (c) => c.charCodeAt(0));
    const r = await imported(bytes, 'latin1.csv');
    expect(r.decoding.encoding).toBe('windows-1252');
    expect(r.items.map((i) => i.text)).toEqual(['Patient with caf\u00e9-au-lait spots. Na\u00efve to therapy.', 'The pr\u00e9cis says r\u00e9sum\u00e9 \u00e0 la carte.']);
  });

  const table = ['id,text,label', ...TEXTS.map((t, i) => `${i},${t},${i % 2}`)].join('\n');
  const cases: [string, Uint8Array][] = [
    ['UTF-16 LE without BOM', utf16(table, true)],
    ['UTF-16 BE without BOM', utf16(table, false)],
    ['UTF-16 LE with BOM', utf16(table, true, true)],
    ['UTF-32 LE without BOM', utf32(table, true)],
    ['UTF-32 BE with BOM', utf32(table, false, true)],
    ['UTF-32 LE with BOM', utf32(table, true, true)],
  ];
  for (const [name, bytes] of cases) {
    it(`reads ${name}`, async () => {
      const r = await imported(bytes, 'wide.csv');
      expect(r.columns).toEqual(['id', 'text', 'label']);
      expect(r.items.map((i) => i.text)).toEqual(TEXTS);
      expect(r.decoding.lossy).toBe(false);
    });
  }

  it('reads UTF-16 without BOM even when almost all of it is Chinese (few zero bytes)', async () => {
    const zh = '编号\t文本\t是否有误\n一\t胰岛素由胰岛β细胞分泌\t是\n二\t阿司匹林成人常用量每日一百毫克\t否\n';
    const r = await imported(utf16(zh, true), 'zh16.tsv');
    expect(r.items.map((i) => i.text)).toEqual(['胰岛素由胰岛β细胞分泌', '阿司匹林成人常用量每日一百毫克']);
  });

  it('reads a short Latin-1 file with a few accents as Windows-1252', async () => {
    const bytes = Uint8Array.from('id\ttext\tlabel\n1\tcaf\u00e9 ol\u00e9\t0\n', (c) => c.charCodeAt(0));
    const r = await imported(bytes, 'short.tsv');
    expect(r.items[0]?.text).toBe('caf\u00e9 ol\u00e9');
  });

  it('names an HTML page saved instead of the dataset', async () => {
    expect((await refusal('<!DOCTYPE html><html><body>404 Not Found</body></html>', 'data.csv')).message).toMatch(/web page \(HTML\)/);
  });

  it('reads semicolon-separated CSV (spreadsheets in many locales) and says so', async () => {
    const r = await imported(['id;text;label', `1;${TEXTS[0]};0`, `2;${TEXTS[1]};1`].join('\n'), 'semi.csv');
    expect(r.items.map((i) => i.text)).toEqual(TEXTS.slice(0, 2));
    expect(r.notes.join(' ')).toMatch(/semicolons/);
  });

  it('decompresses gzip (.csv.gz) and says so', async () => {
    const r = await imported(gzipSync(utf8(table)), 'data.csv.gz');
    expect(r.format).toBe('csv');
    expect(r.items.map((i) => i.text)).toEqual(TEXTS);
    expect(r.notes.join(' ')).toMatch(/gzip/);
  });

  it('refuses binary files, named after what they look like', async () => {
    const png = concat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), new Uint8Array(200).fill(7));
    expect((await refusal(png, 'image.csv')).message).toMatch(/not a text or Parquet file.*PNG/);
    const noise = new Uint8Array(4096).map((_, i) => (i * 131 + 7) % 256);
    expect((await refusal(noise, 'noise.jsonl')).message).toMatch(/not a text or Parquet file/);
    const zip = concat(new Uint8Array([0x50, 0x4b, 0x03, 0x04]), new Uint8Array(100));
    expect((await refusal(zip, 'sheet.csv')).message).toMatch(/Excel/);
    expect((await refusal(gzipSync(utf8(table)).subarray(0, 30), 'cut.csv.gz')).message).toMatch(/damaged or cut short/);
  });
});

describe('CSV and TSV rows are never swallowed', () => {
  it('handles line endings per line: a CRLF header with LF rows, and mixed endings', async () => {
    const rows = TEXTS.map((t, i) => `${i},${t},0`);
    const crlfHeader = `id,text,label\r\n${rows.join('\n')}\n`;
    expect((await imported(crlfHeader, 'appended.csv')).items.map((i) => i.text)).toEqual(TEXTS);
    const mixed = `id,text,label\r\n${rows[0]}\n${rows[1]}\r${rows[2]}\r\n${rows[3]}`;
    const r = await imported(mixed, 'mixed.csv');
    expect(r.items.map((i) => i.text)).toEqual(TEXTS);
    expect(r.items.every((i) => !/[\r\n]/.test(i.text))).toBe(true);
  });

  it('reads an unquoted TSV whose text starts with ASCII quotes as text', async () => {
    const lines = ['id\ttext\tlabel', '1\t"阿司匹林"是常用的抗血小板药。\t0', '2\t布洛芬可退热。\t0', '3\t"维生素C"可以治愈感冒。\t1', '4\t青霉素过敏者禁用阿莫西林。\t0'];
    const r = await imported(lines.join('\n'), 'quotes.tsv');
    expect(r.items.map((i) => i.text)).toEqual(['"阿司匹林"是常用的抗血小板药。', '布洛芬可退热。', '"维生素C"可以治愈感冒。', '青霉素过敏者禁用阿莫西林。']);
  });

  it('a malformed quoted field costs at most its own row, with the right line number', async () => {
    const lines = [
      'id,text,label',
      `1,${TEXTS[0]},0`,
      `2,"${TEXTS[1]},1`, // never closed
      `3,${TEXTS[2]},0`,
      `4,"他说"头孢"可以喝酒",1`, // text after the closing quote
      `5,${TEXTS[3]},0`,
      `6,"多行文本`,
      `第二行",0`, // a legitimate multi-line field
      `7,${TEXTS[0]},1`,
    ];
    const r = await imported(lines.join('\n'), 'broken.csv');
    const ids = r.items.map((i) => i.id);
    expect(ids).toEqual(expect.arrayContaining(['1', '3', '5', '6', '7']));
    expect(r.items.find((i) => i.id === '6')?.text).toBe('多行文本\n第二行');
    expect(r.items.find((i) => i.id === '7')?.text).toBe(TEXTS[0]);
    // Broken rows are kept read literally (with a warning) or rejected with their own line; never the rows after them.
    for (const id of ['2', '4']) {
      const kept = r.items.find((i) => i.id === id);
      const warned = r.warnings.find((w) => w.id === id && w.reason === 'quotes_read_literally');
      const rejected = r.rejected.find((x) => x.line === Number(id) + 1);
      expect(Boolean(kept && warned) || Boolean(rejected)).toBe(true);
    }
    expect(r.items.length + r.rejected.length).toBe(7);
  });
});

describe('JSON files', () => {
  const records = Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, text: TEXTS[i % 4], has_error: i % 2 }));

  it('reads a pretty-printed JSON array saved as .jsonl as 10 records', async () => {
    const r = await imported(JSON.stringify(records, null, 2), 'pretty.jsonl');
    expect(r.items).toHaveLength(10);
    expect(r.rejected).toEqual([]);
    expect(r.notes.join(' ')).toMatch(/read as JSON/);
  });

  it('reads pretty-printed objects one after another in a .jsonl file', async () => {
    const r = await imported(records.map((x) => JSON.stringify(x, null, 2)).join('\n'), 'objects.jsonl');
    expect(r.items.map((i) => i.id)).toEqual(records.map((x) => x.id));
  });

  it('keeps the records of a truncated JSON array and reports the cut one', async () => {
    const text = JSON.stringify(records);
    const r = await imported(text.slice(0, text.length - 20), 'cut.json');
    expect(r.items.length).toBe(9);
    expect(r.rejected).toEqual([expect.objectContaining({ row: 10, reason: 'malformed_row' })]);
  });

  it('keeps the records of an array followed by stray content, and says so', async () => {
    const r = await imported(`${JSON.stringify(records)} xyz`, 'trailing.json');
    expect(r.items).toHaveLength(10);
    expect(r.notes.join(' ')).toMatch(/follows the end of the JSON array/);
  });

  it('bounds nesting depth with a clear message instead of a stack overflow', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const jsonl = [JSON.stringify({ id: 'a', text: TEXTS[0], has_error: 0 }), `{"id":"b","text":"x","has_error":0,"extra":${deep}}`, JSON.stringify({ id: 'c', text: TEXTS[1], has_error: 1 })].join('\n');
    const r = await imported(jsonl, 'deep.jsonl');
    expect(r.items.map((i) => i.id)).toEqual(['a', 'c']);
    expect(r.rejected).toEqual([expect.objectContaining({ row: 2, line: 2 })]);
    expect(r.rejected[0]?.message).toMatch(/nested more than \d+ levels/);
    const json = `[${JSON.stringify({ id: 'a', text: TEXTS[0], has_error: 0 })},{"id":"b","text":"x","has_error":0,"x":${deep}}]`;
    const rj = await imported(json, 'deep.json');
    expect(rj.items.map((i) => i.id)).toEqual(['a']);
    expect(rj.rejected[0]?.message).toMatch(/nested more than/);
  });

  it('stays linear when every JSONL row brings a new key (50,000 rows)', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 50_000; i++) lines.push(JSON.stringify({ id: `k${i}`, text: '胰岛素由胰岛β细胞分泌。', has_error: 0, [`key_${i}`]: i }));
    const r = await imported(lines.join('\n'), 'keys.jsonl');
    expect(r.items).toHaveLength(50_000);
    expect(r.items[49_999]?.extra).toEqual({ key_49999: '49999' });
  });
});

describe('Parquet', () => {
  it('a bad value in a column that is not mapped does not refuse the file', async () => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'id', data: ['p1', 'p2'] },
        { name: 'text', data: [TEXTS[0], TEXTS[1]] },
        { name: 'has_error', data: [0, 1] },
        { name: 'created', data: [9_000_000_000_000_000n, 5n] },
      ],
      schema: [
        { name: 'root', num_children: 4 },
        { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'text', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'has_error', type: 'INT32', repetition_type: 'REQUIRED' },
        { name: 'created', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'REQUIRED' },
      ],
    } as Parameters<typeof parquetWriteBuffer>[0]);
    const r = await imported(new Uint8Array(buffer), 'dates.parquet');
    expect(r.items.map((i) => [i.id, i.hasError])).toEqual([
      ['p1', false],
      ['p2', true],
    ]);
  });

  it('says that a corrupt Parquet file is damaged, without engine text', async () => {
    const buffer = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'text', data: TEXTS }] }));
    const corrupt = buffer.slice();
    corrupt.fill(0xee, corrupt.length - 40, corrupt.length - 8);
    expect((await refusal(corrupt, 'corrupt.parquet')).message).toMatch(/not a readable Parquet file/);
    const cut = buffer.slice(0, buffer.length - 10);
    expect((await refusal(cut, 'cut.parquet')).message).toMatch(/Parquet/);
  });
});

describe('gold offsets', () => {
  it('warns and widens offsets that split a surrogate pair', async () => {
    const text = '服药后出现😀皮疹应停药。';
    const start = text.indexOf('😀') + 1; // inside the pair
    const r = await imported(JSON.stringify({ id: 's', text, has_error: 1, start, end: start + 3 }), 'pair.jsonl');
    const gold = r.items[0]!.gold[0]!;
    expect(gold.start).toBe(start - 1);
    expect(text.slice(gold.start, gold.end).startsWith('😀')).toBe(true);
    expect(r.warnings.map((w) => w.reason)).toContain('offsets_split_character');
  });
});
