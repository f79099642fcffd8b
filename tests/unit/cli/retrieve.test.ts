import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { makeChinesePdf, makeDocx, makeScannedPdf } from '../../fixtures/evidence/make-documents';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const fixture = (name: string): string => join(root, 'tests/fixtures/evidence', name);

async function medfact(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, ['src/cli/medfact.ts', ...args], { cwd: root, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

interface Results {
  results: { id: string; hits: { id: string; score: number }[] }[];
}

describe('medfact retrieve', () => {
  it('ranks a passages.jsonl library with the file ids, --k hits per query, in the documented JSON shape', async () => {
    const r = await medfact('retrieve', '--library', fixture('corpus.jsonl'), '--queries', fixture('queries.jsonl'), '--k', '3', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Results;
    expect(out.results).toHaveLength(36);
    expect(out.results[0]!.id).toBe('q1');
    for (const q of out.results) {
      expect(q.hits.length).toBeLessThanOrEqual(3);
      for (const h of q.hits) expect(Object.keys(h).sort()).toEqual(['id', 'score']);
    }
    expect(out.results.find((q) => q.id === 'q3')!.hits[0]!.id).toBe('metf-2');
    expect(r.stderr).toMatch(/Indexed 36 passages from 1 file/);
  }, 120_000);

  it('reads a BEIR-style corpus and queries (`_id`, numeric ids) with the same ids in the output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medfact-beir-'));
    const corpus = [
      { _id: 101, title: '华法林', text: '华法林的目标INR为2.0～3.0。' },
      { _id: 'd-2', title: '乙肝疫苗', text: '乙肝疫苗全程接种3剂。' },
    ];
    writeFileSync(join(dir, 'corpus.jsonl'), corpus.map((r) => JSON.stringify(r)).join('\n'));
    writeFileSync(join(dir, 'queries.jsonl'), [{ _id: 7, text: '华法林INR目标' }, { _id: 'q2', text: '乙肝疫苗打几针' }].map((r) => JSON.stringify(r)).join('\n'));
    const r = await medfact('retrieve', '--library', join(dir, 'corpus.jsonl'), '--queries', join(dir, 'queries.jsonl'), '--k', '1', '--json');
    expect(r.stderr).not.toMatch(/missing/);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Results).results.map((q) => [q.id, q.hits[0]?.id])).toEqual([
      ['7', '101'],
      ['q2', 'd-2'],
    ]);
  }, 120_000);

  it('reads a folder of .txt, .md, .html, .docx and a Chinese .pdf, citing file and page', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medfact-lib-'));
    writeFileSync(join(dir, '阿司匹林.txt'), '阿司匹林用于预防心肌梗死时每日100mg。');
    writeFileSync(join(dir, '疫苗.md'), '# 乙肝疫苗\n\n全程接种3剂，按0、1、6个月程序。');
    writeFileSync(join(dir, '高钾.html'), '<title>高钾血症</title><p>血钾超过6.5mmol/L属于急症。</p><script>bad()</script>');
    writeFileSync(join(dir, '二甲双胍.docx'), await makeDocx(['二甲双胍禁用于eGFR低于45的患者。']));
    writeFileSync(join(dir, '华法林.pdf'), await makeChinesePdf('华法林用药指导', [['第一页：饮食应保持稳定。'], ['华法林的目标INR为2.0～3.0。']]));
    const queries = join(dir, '..', `${dir.split('/').pop()}-q.jsonl`);
    writeFileSync(
      queries,
      ['华法林INR目标', '乙肝疫苗几针', '血钾多高是急症', '二甲双胍肾功能', '阿司匹林每天多少'].map((text, i) => JSON.stringify({ id: i + 1, text })).join('\n'),
    );
    const r = await medfact('retrieve', '--library', dir, '--queries', queries, '--k', '1', '--json');
    expect(r.code).toBe(0);
    const top = (JSON.parse(r.stdout) as Results).results.map((q) => q.hits[0]?.id);
    expect(top).toEqual(['华法林.pdf:1', '疫苗.md:0', '高钾.html:0', '二甲双胍.docx:0', '阿司匹林.txt:0']);
    const plain = await medfact('retrieve', '--library', dir, '--queries', queries, '--k', '1');
    expect(plain.stdout).toMatch(/1\. 华法林\.pdf:1 {2}[\d.]+ {2}华法林用药指导 p\.2 {2}华法林的目标INR/);
  }, 120_000);

  it('skips and names unreadable files, keeps the rest, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medfact-lib-'));
    writeFileSync(join(dir, 'ok.txt'), '阿莫西林成人一次0.5g。');
    writeFileSync(join(dir, '扫描.pdf'), await makeScannedPdf());
    writeFileSync(join(dir, 'slides.pptx'), 'x');
    const queries = join(dir, 'queries.jsonl');
    writeFileSync(queries, '{"id":"a","text":"阿莫西林"}\n{"text":"no id"}\n');
    const r = await medfact('retrieve', '--library', dir, '--queries', queries, '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/扫描\.pdf has no text layer/);
    expect(r.stderr).toMatch(/slides\.pptx: this file type is not supported/);
    expect(r.stderr).toMatch(/queries line 2: "id" is missing/);
    expect((JSON.parse(r.stdout) as Results).results[0]!.hits[0]!.id).toBe('ok.txt:0');
  }, 120_000);

  it('exits 2 on usage errors and 1 on a missing library', async () => {
    expect((await medfact('retrieve', '--queries', 'q.jsonl')).code).toBe(2);
    expect((await medfact('retrieve', '--library', 'x', '--queries', 'q', '--k', '0')).code).toBe(2);
    const missing = await medfact('retrieve', '--library', join(tmpdir(), 'no-such-library'), '--queries', fixture('queries.jsonl'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no-such-library: no such file or folder/);
  }, 120_000);
});
