import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const fixture = (name: string): string => join(root, 'tests/fixtures/meds', name);

async function medfact(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, ['src/cli/medfact.ts', ...args], { cwd: root, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

interface Out {
  results: { id: string | number; findings: Record<string, unknown>[] }[];
}

describe('medfact meds', () => {
  it('--json prints the issue-12 shape, with exact spans into each text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meds-cli-'));
    const texts = join(dir, 'texts.jsonl');
    const lines = [
      { id: 'a', text: '对乙酰氨基酚片：口服，成人一次5g，一日3次。' },
      { id: 'b', text: '孕妇禁用布洛芬；成人布洛芬每次0.2g，一日3次。' },
      { id: 'c', text: '孕妇可以服用布洛芬。' },
    ];
    writeFileSync(texts, lines.map((l) => JSON.stringify(l)).join('\n'));
    const r = await medfact('meds', '--formulary', fixture('formulary.csv'), texts, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Out;
    expect(Object.keys(out)).toEqual(['results']);
    expect(out.results.map((x) => x.id)).toEqual(['a', 'b', 'c']);
    const [fa] = out.results[0]?.findings ?? [];
    expect(Object.keys(fa ?? {})).toEqual(['start', 'end', 'text', 'drug', 'rule', 'limit', 'found', 'correction', 'reason', 'source']);
    expect(fa).toMatchObject({ text: '5g', drug: '对乙酰氨基酚', rule: 'max_single', limit: '1 g', found: '5 g' });
    expect(lines[0]?.text.slice(fa?.start as number, fa?.end as number)).toBe('5g');
    expect(out.results[1]?.findings).toEqual([]);
    expect(out.results[2]?.findings).toEqual([expect.objectContaining({ text: '孕妇可以服用', rule: 'contraindicated_population' })]);
    expect(r.stderr).toContain('19 rows used');
  });

  it('plain output lists each finding on a line; an unreadable line is named and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meds-cli-'));
    const texts = join(dir, 'texts.jsonl');
    writeFileSync(texts, `${JSON.stringify({ id: 'x', text: '地高辛每日0.25克。' })}\n{oops\n${JSON.stringify({ id: 'y' })}\n`);
    const r = await medfact('meds', '--formulary', fixture('formulary.csv'), texts);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^x: \[5,10\) 「0\.25克」 unit_suspect 地高辛: /m);
    expect(r.stderr).toContain('line 2: invalid JSON');
    expect(r.stderr).toContain('line 3: missing "text"');
  });

  it('lists bad formulary rows with their numbers and still checks with the rest (JSON formulary)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meds-cli-'));
    const texts = join(dir, 'texts.jsonl');
    writeFileSync(texts, `${JSON.stringify({ id: 1, text: '沐舒坦口服液每次服300mg，每天3次。' })}\n`);
    const r = await medfact('meds', '--formulary', fixture('formulary-b.json'), texts, '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('第 15 行');
    expect(r.stderr).toContain('第 16 行');
    const out = JSON.parse(r.stdout) as Out;
    // A numeric id comes back as the same number.
    expect(out.results[0]).toMatchObject({ id: 1, findings: [expect.objectContaining({ text: '300mg', rule: 'max_single', drug: '氨溴索' })] });
  });

  it('usage errors exit 2; a missing file exits 1', async () => {
    expect((await medfact('meds', fixture('eval.jsonl'))).code).toBe(2);
    const missing = await medfact('meds', '--formulary', fixture('nope.csv'), fixture('eval.jsonl'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.csv');
  });
});
