import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const fixture = (name: string): string => join(root, 'tests/fixtures/datasets', name);
const tsx = join(root, 'node_modules/.bin/tsx');

async function medfact(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, ['src/cli/medfact.ts', ...args], { cwd: root, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('medfact CLI', () => {
  it('score --json prints the metrics of a hand-checked case', async () => {
    const r = await medfact('score', fixture('basic.jsonl'), fixture('basic-predictions.jsonl'), '--json');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout) as Record<string, unknown> & { vc: Record<string, number>; el: Record<string, number>; by: Record<string, Record<string, unknown>> };
    // a1 TP (matched), a2 FP, a3 TP (span misses), a4 TN, a5 FN, a6 missing → FN
    expect(m.n).toBe(6);
    expect(m.missing).toBe(1);
    expect(m.unknown_predictions).toBe(1);
    expect(m.vc).toMatchObject({ tp: 2, fp: 1, fn: 2, tn: 1 });
    expect(m.vc.precision).toBeCloseTo(2 / 3, 9);
    expect(m.vc.recall).toBeCloseTo(0.5, 9);
    expect(m.vc.over_criticism).toBeCloseTo(0.5, 9);
    // EL: spans a1 (match), a2 (spurious), a3 (spurious) → P 1/3; gold 4, matched 1 → R 1/4
    expect(m.el.precision).toBeCloseTo(1 / 3, 9);
    expect(m.el.recall).toBeCloseTo(0.25, 9);
    expect(m.el.text_rate).toBeCloseTo(0.25, 9);
    expect(m.el.spurious_per_text).toBeCloseTo(2 / 6, 9);
    expect(Object.keys(m.by).sort()).toEqual(['difficulty', 'error_type', 'specialty', 'style']);
    expect(Object.keys(m.by.error_type!).sort()).toEqual(['conceptual', 'general_fact', 'temporal', 'terminological']);
    expect(r.stderr).toMatch(/line 7: invalid JSON/);
  });

  it('uses the sentence criterion for a MEDEC-layout file', async () => {
    const r = await medfact('score', fixture('medec-like.csv'), fixture('medec-like-predictions.jsonl'), '--json');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout) as { criterion: string; el: { recall: number; precision: number } };
    expect(m.criterion).toBe('sentence');
    expect(m.el.recall).toBe(1);
    expect(m.el.precision).toBe(1);
  });

  it('inspect --json lists statistics and every rejected row', async () => {
    const r = await medfact('inspect', fixture('zh-defects.csv'), '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { items: number; rejected: { row: number; reason: string }[]; stats: { unplacedGold: number } };
    expect(out.items).toBe(5);
    expect(out.rejected.map((x) => x.reason)).toEqual(['duplicate_id', 'empty_label', 'unparseable_label', 'missing_text']);
    expect(out.stats.unplacedGold).toBe(1);
    const text = await medfact('inspect', fixture('zh-defects.csv'));
    expect(text.stdout).toMatch(/row 5 \(line 7\) id 5: empty_label/);
  });

  it('inspect --map fixes a mapping; a missing column fails cleanly', async () => {
    const ok = await medfact('inspect', fixture('basic.tsv'), '--map', 'errorSpan=', '--json');
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { mapping: Record<string, string> }).mapping.errorSpan).toBeUndefined();
    const bad = await medfact('inspect', fixture('missing-text.csv'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/No text column/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('demo --out writes the demo set that inspect then reads back', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'medfact-')), 'demo.jsonl');
    const r = await medfact('demo', '--out', out);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(40);
    const i = await medfact('inspect', out, '--json');
    expect((JSON.parse(i.stdout) as { stats: { withError: number; correct: number } }).stats).toMatchObject({ withError: 20, correct: 20 });
  });

  it('user errors end with a message and a non-zero exit code, without a stack trace', async () => {
    const missing = await medfact('inspect', fixture('no-such-file.csv'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Cannot open/);
    const usage = await medfact('frobnicate');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/Unknown command/);
    const crit = await medfact('score', fixture('basic.jsonl'), fixture('basic-predictions.jsonl'), '--criterion', 'word');
    expect(crit.code).toBe(2);
    const noPreds = await medfact('score', fixture('basic.jsonl'), fixture('basic.tsv'));
    expect(noPreds.code).toBe(1);
    expect(noPreds.stderr).toMatch(/No readable predictions/);
    for (const r of [missing, usage, crit, noPreds]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
