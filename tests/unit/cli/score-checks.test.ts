/**
 * `medfact score` refuses to mislead (issue 10): run as a user runs it, a
 * real child process over files written here.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { oracleAccuracy, oracleReference } from '../core/mediqa/official-oracle';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const fixture = (name: string): string => join(root, 'tests/fixtures/datasets', name);
const tsx = join(root, 'node_modules/.bin/tsx');
const dir = mkdtempSync(join(tmpdir(), 'medfact-score-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text, 'utf8');
  return path;
};
/** The real MEDEC validation file beside the clone (../shared); CI has it. */
const realMedec = join(root, '../shared/data/medec/MEDEC-MS-ValidationSet-with-GroundTruth-and-ErrorType.csv');

async function medfact(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, ['src/cli/medfact.ts', ...args], { cwd: root, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const jsonl = (rows: unknown[]): string => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** 40 items a0..a39, even ones erroneous with the gold error 阿司匹林 at [0, 4). */
const dataset = file(
  'forty.jsonl',
  jsonl(Array.from({ length: 40 }, (_, i) => ({ id: `a${i}`, text: `阿司匹林可以预防血栓形成。第${i}条`, label: i % 2 === 0 ? 1 : 0, error_span: i % 2 === 0 ? '阿司匹林' : '' }))),
);
const perfect = (i: number): Record<string, unknown> => ({ id: `a${i}`, has_error: i % 2 === 0, spans: i % 2 === 0 ? [{ start: 0, end: 4, text: '阿司匹林' }] : [] });

type ScoreJson = {
  n: number;
  missing: number;
  missing_rule: string;
  duplicate_predictions: number;
  vc: { tp: number; fp: number; fn: number; tn: number; accuracy: number };
  coverage: { matched: number; missing: number; warnings: string[]; duplicates: { id: string; lines: number[]; used_line: number }[]; rejected_lines: number; missing_rule: string };
  prediction_issues: { line: number; message: string }[];
  predictions_format: string;
  mediqa_corr: { texts: number; error_flag_accuracy: number; error_sentence_accuracy: number; flag_correct: number; sentence_correct: number } | null;
};

describe('medfact score: predictions checked against the dataset', () => {
  it('exits 1 with a clear message, and prints no score, when no prediction id matches the dataset', async () => {
    const preds = file('other.jsonl', jsonl(Array.from({ length: 40 }, (_, i) => ({ ...perfect(i), id: `b${i}` }))));
    for (const format of [[], ['--json'], ['--csv']]) {
      const r = await medfact('score', dataset, preds, ...format);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/None of the 40 prediction ids matches an id in the dataset \(40 items\)/);
      expect(r.stderr).toMatch(/Dataset ids look like "a0", "a1", "a2"; prediction ids look like "b0", "b1", "b2"/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('warns loudly on stderr, in the text report and in the JSON when more than 5% of the items have no prediction', async () => {
    const preds = file('partial.jsonl', jsonl(Array.from({ length: 37 }, (_, i) => perfect(i + 3))));
    const text = await medfact('score', dataset, preds);
    expect(text.code).toBe(0);
    expect(text.stderr).toMatch(/WARNING: 3 of 40 dataset items \(7\.5%\) have no prediction/);
    expect(text.stdout).toMatch(/^WARNING: 3 of 40 dataset items \(7\.5%\) have no prediction/m);
    expect(text.stdout).toMatch(/^missing rule {2}A dataset item without a prediction is scored as a prediction of "no error"/m);
    const json = JSON.parse((await medfact('score', dataset, preds, '--json')).stdout) as ScoreJson;
    expect(json.coverage).toMatchObject({ matched: 37, missing: 3 });
    expect(json.coverage.warnings[0]).toMatch(/7\.5%/);
    expect(json.missing_rule).toMatch(/scored as a prediction of "no error"/);
    // The rule, applied: a0 and a2 (erroneous) are false negatives, a1 (correct) a true negative.
    expect(json.vc).toMatchObject({ tp: 18, fn: 2, fp: 0, tn: 20 });
  });

  it('does not warn at 2 of 40 missing (5%)', async () => {
    const r = await medfact('score', dataset, file('most.jsonl', jsonl(Array.from({ length: 38 }, (_, i) => perfect(i + 2)))));
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/WARNING/);
  });

  it('a malformed spans field is an error for its line, named by line number; the rest of the file is scored', async () => {
    const rows: unknown[] = Array.from({ length: 40 }, (_, i) => perfect(i));
    rows[4] = { id: 'a4', has_error: true, spans: { start: 0, end: 4, text: '阿司匹林' } };
    rows[6] = { id: 'a6', has_error: true, spans: [{ start: 4, end: 0 }] };
    rows[8] = { id: 'a8', has_error: true, spans: [{ start: 0, end: 400 }] };
    const preds = file('malformed.jsonl', jsonl(rows));
    const r = await medfact('score', dataset, preds, '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/predictions line 5: id a4: "spans" must be an array of \{start, end, text\}, not an object; line skipped/);
    expect(r.stderr).toMatch(/predictions line 7: id a6: span 1 offsets \[4, 0\) are reversed/);
    expect(r.stderr).toMatch(/predictions line 9: id a8: span 1 offsets \[0, 400\) go past the end of the text/);
    const m = JSON.parse(r.stdout) as ScoreJson;
    expect(m.coverage.rejected_lines).toBe(3);
    expect(m.prediction_issues.map((i) => i.line)).toEqual([5, 7, 9]);
    expect(m.n).toBe(40);
    expect(m.missing).toBe(3);
    expect(m.vc).toMatchObject({ tp: 17, fn: 3, tn: 20, fp: 0 });
  });

  it('prediction ids are trimmed on both sides', async () => {
    const preds = file('spaced.jsonl', jsonl(Array.from({ length: 40 }, (_, i) => ({ ...perfect(i), id: ` a${i}\t` }))));
    const m = JSON.parse((await medfact('score', dataset, preds, '--json')).stdout) as ScoreJson;
    expect(m.coverage.matched).toBe(40);
    expect(m.vc.accuracy).toBe(1);
  });

  it('duplicate ids appear in the text, JSON and CSV reports with the line that is used', async () => {
    const rows = [...Array.from({ length: 40 }, (_, i) => perfect(i)), { id: 'a1', has_error: true, spans: [] }];
    const preds = file('dups.jsonl', jsonl(rows));
    const text = await medfact('score', dataset, preds);
    expect(text.stdout).toMatch(/^ {2}"a1": lines 2, 41; line 2 used$/m);
    expect(text.stdout).toMatch(/^duplicates {4}For an id given more than once, the first line is scored/m);
    const json = JSON.parse((await medfact('score', dataset, preds, '--json')).stdout) as ScoreJson;
    expect(json.duplicate_predictions).toBe(1);
    expect(json.coverage.duplicates).toEqual([{ id: 'a1', lines: [2, 41], used_line: 2 }]);
    expect(json.vc.fp).toBe(0);
    const csv = Papa.parse<Record<string, string>>((await medfact('score', dataset, preds, '--csv')).stdout, { header: true, skipEmptyLines: true }).data;
    expect(csv[0]).toMatchObject({ scope: 'overall', duplicate_predictions: '1', duplicate_ids: 'a1 (lines 2 41; used 2)' });
    expect(csv[0]!.duplicate_rule).toMatch(/first line is scored/);
    expect(csv[0]!.missing_rule).toMatch(/scored as a prediction of "no error"/);
  });
});

describe('medfact score: MEDIQA-CORR 2024 measures and submission format', () => {
  const medec = fixture('medec-mediqa.csv');

  it('reads a submission file (detected), reports the official measures and scores VC and EL from it', async () => {
    const submission = ['m-0 1 2 He is given intravenous ceftriaxone.', 'm-1 1 0 NA', 'm-2 1 1 wrong sentence', 'm-3 0 -1 NA', 'm-4 1 2 He is treated with oral dexamethasone.', 'm-4 0 -1 NA'].join('\n');
    const sub = file('run.txt', `${submission}\n`);
    const r = await medfact('score', medec, sub, '--json');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout) as ScoreJson;
    expect(m.predictions_format).toBe('mediqa-corr');
    const oracle = oracleAccuracy(oracleReference(readFileSync(medec, 'utf8')), submission);
    expect(m.mediqa_corr!.error_flag_accuracy).toBe(oracle.flag);
    expect(m.mediqa_corr!.error_sentence_accuracy).toBe(oracle.sentence);
    // m-4: the last line counts (flag 0), as in the official script; m-5 is missing.
    expect(m.coverage.duplicates).toEqual([{ id: 'm-4', lines: [5, 6], used_line: 6 }]);
    expect(m.mediqa_corr).toMatchObject({ texts: 6, flag_correct: 3, sentence_correct: 2 });
    expect(m.vc).toMatchObject({ tp: 2, fp: 1, fn: 1, tn: 2 });
    const text = await medfact('score', medec, sub);
    expect(text.stdout).toMatch(/MEDIQA-CORR 2024 official measures \(a text without a prediction counts as wrong\)/);
    expect(text.stdout).toMatch(/error flag accuracy {6}0\.500 \[[0-9.]+, [0-9.]+\] {2}\(3\/6 texts\)/);
    expect(text.stdout).toMatch(/error sentence accuracy {2}0\.333/);
  });

  it('--mediqa-out writes our predictions as a submission that scores the same here and under the official rule', async () => {
    const out = join(dir, 'exported.txt');
    const r = await medfact('score', medec, fixture('medec-mediqa-predictions.jsonl'), '--json', '--mediqa-out', out);
    expect(r.code).toBe(0);
    const exported = readFileSync(out, 'utf8');
    expect(exported).toBe(['m-0 1 2 He is given intravenous ceftriaxone.', 'm-1 0 -1 NA', 'm-2 1 1 NA', 'm-3 1 1 NA', 'm-4 0 -1 NA', ''].join('\n'));
    const direct = (JSON.parse(r.stdout) as ScoreJson).mediqa_corr!;
    const again = (JSON.parse((await medfact('score', medec, out, '--json')).stdout) as ScoreJson).mediqa_corr!;
    const oracle = oracleAccuracy(oracleReference(readFileSync(medec, 'utf8')), exported);
    expect(direct).toEqual(again);
    expect([direct.error_flag_accuracy, direct.error_sentence_accuracy]).toEqual([oracle.flag, oracle.sentence]);
    expect(direct).toMatchObject({ flag_correct: 3, sentence_correct: 2 });
  });

  it('a submission against a dataset without sentence ids is refused with a message that says why', async () => {
    const r = await medfact('score', dataset, file('sub-for-wrong-dataset.txt', 'a0 1 0 NA\n'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is a MEDIQA-CORR submission .* has no sentence ids/);
    const out = await medfact('score', dataset, file('p.jsonl', jsonl([perfect(0)])), '--mediqa-out', join(dir, 'x.txt'));
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/--mediqa-out needs a dataset with sentence ids/);
  });

  it.skipIf(!existsSync(realMedec))('agrees with the official definition on the real MEDEC-MS validation file (skipped only when ../shared/data/medec is absent)', async () => {
    const csv = readFileSync(realMedec, 'utf8');
    const rows = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true }).data;
    expect(rows).toHaveLength(574);
    // A run with every kind of mistake: missing texts, flipped flags, wrong sentences, a skipped line, a duplicate.
    const lines: string[] = [];
    rows.forEach((row, i) => {
      const id = row['Text ID'] as string;
      const flag = row['Error Flag'] as string;
      const sid = row['Error Sentence ID'] as string;
      if (i % 11 === 0) return;
      if (i === 10) lines.push(`${id.toUpperCase()} ${flag} ${sid} skipped by the official pattern`);
      else if (i % 7 === 0) lines.push(flag === '1' ? `${id} 0 -1 NA` : `${id} 1 0 a made-up correction`);
      else if (i % 5 === 0 && flag === '1') lines.push(`${id} 1 ${Number(sid) + 1} a correction of the wrong sentence`);
      else lines.push(flag === '1' ? `${id} 1 ${sid} ${row['Corrected Sentence'] ?? 'NA'}` : `${id} 0 -1 NA`);
      if (i === 20) lines.push(`${id} ${flag === '1' ? '0 -1 NA' : '1 0 NA'}`);
    });
    const submission = `${lines.join('\n')}\n`;
    const sub = file('real-run.txt', submission);
    const r = await medfact('score', realMedec, sub, '--json');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout) as ScoreJson;
    const oracle = oracleAccuracy(oracleReference(csv), submission);
    expect(m.mediqa_corr!.texts).toBe(574);
    expect(m.mediqa_corr!.error_flag_accuracy).toBe(oracle.flag);
    expect(m.mediqa_corr!.error_sentence_accuracy).toBe(oracle.sentence);
    expect(oracle.flag).toBeLessThan(1);
    expect(oracle.sentence).toBeLessThan(oracle.flag);
    expect(m.coverage.duplicates.map((d) => d.lines.length)).toEqual([2]);

    // Our JSONL predictions made from the gold sentences export to a submission the official rule scores as perfect.
    const items = JSON.parse((await medfact('inspect', realMedec, '--json')).stdout) as { items: number; stats: { unplacedGold: number } };
    expect(items.items).toBe(574);
    const preds = rows.map((row) => {
      const text = row.Text as string;
      const quote = (row['Error Sentence'] as string).trim();
      const at = text.indexOf(quote);
      return row['Error Flag'] === '1'
        ? { id: row['Text ID'], has_error: true, spans: at >= 0 ? [{ start: at, end: at + quote.length, text: quote }] : [{ text: quote }] }
        : { id: row['Text ID'], has_error: false, spans: [] };
    });
    const out = join(dir, 'real-exported.txt');
    const g = await medfact('score', realMedec, file('gold.jsonl', jsonl(preds)), '--json', '--mediqa-out', out);
    expect(g.code).toBe(0);
    const gold = JSON.parse(g.stdout) as ScoreJson;
    const exported = oracleAccuracy(oracleReference(csv), readFileSync(out, 'utf8'));
    expect(exported).toEqual({ flag: 1, sentence: 1 });
    expect(gold.mediqa_corr).toMatchObject({ error_flag_accuracy: 1, error_sentence_accuracy: 1 });
  });
});
