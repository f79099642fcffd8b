/**
 * The agreement check between two bench reports (issue 15: "two consecutive
 * runs agree within their reported spreads"), on constructed reports: the
 * rule itself, the summary line, and the CLI's exit codes and tables when it
 * compares two saved reports (`--from … --compare …`, no suite run).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { compareReports, compareRow, formatDisagreements } from '../../../perf/compare';
import { REPO_ROOT } from '../../../perf/suite';
import { formatMarkdown, formatTable, loadLine } from '../../../perf/table';
import type { BenchReport, BenchRow } from '../../../perf/types';

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function repeated(name: string, value: number, ci: [number, number]): BenchRow {
  return { name, value, unit: 'ms', target: 'info', pass: null, verdict: 'info', spread: { n: 9, q1: ci[0], q3: ci[1], ci } };
}
function single(name: string, value: number): BenchRow {
  return { name, value, unit: 'tokens', target: 'info', pass: null, verdict: 'info' };
}
function report(date: string, results: BenchRow[]): BenchReport {
  return {
    machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 4, os: 'Linux', node: 'v20', chromium: null },
    date,
    quick: false,
    results,
    errors: [],
    runs: [
      { measurement: 'parse-align', seconds: 12.3, loadBefore: 0.4, loadAfter: 1.2 },
      { measurement: 'scoring', seconds: 61, loadBefore: 1.2, loadAfter: 2.04 },
    ],
  };
}

describe('compareRow', () => {
  it('agrees when each median lies inside the other run\'s interval, and only then', () => {
    expect(compareRow(repeated('x', 10, [9, 11]), repeated('x', 10.5, [9.8, 11.5])).status).toBe('agree');
    // The new median is inside the old interval, but the old median is outside the new (narrow) one.
    expect(compareRow(repeated('x', 10, [9, 11]), repeated('x', 10.8, [10.5, 11])).status).toBe('disagree');
    expect(compareRow(repeated('x', 10, [9, 11]), repeated('x', 20, [18, 22])).status).toBe('disagree');
    // Interval ends count as inside.
    expect(compareRow(repeated('x', 10, [9, 11]), repeated('x', 11, [10, 12])).status).toBe('agree');
  });

  it('asks single figures to be equal, and calls a spread in one run only incomparable', () => {
    expect(compareRow(single('t', 504), single('t', 504)).status).toBe('equal');
    expect(compareRow(single('t', 504), single('t', 505)).status).toBe('differ');
    expect(compareRow(single('t', Number.NaN), single('t', Number.NaN)).status).toBe('equal');
    expect(compareRow(single('t', 5), repeated('t', 5, [4, 6])).status).toBe('incomparable');
  });
});

describe('compareReports', () => {
  const a = report('2026-11-30T10:00:00.000Z', [repeated('engine.added', 0.2, [0.1, 0.3]), single('tokens.prompt', 504), repeated('runner.ips', 1700, [1500, 1900])]);

  it('says the runs agree when every row agrees or is equal', () => {
    const b = report('2026-11-30T10:20:00.000Z', [repeated('engine.added', 0.25, [0.15, 0.32]), single('tokens.prompt', 504), repeated('runner.ips', 1650, [1550, 1800])]);
    const r = compareReports(a, b);
    expect(r.ok).toBe(true);
    expect(r.counts).toMatchObject({ agree: 2, equal: 1, disagree: 0, differ: 0, missing: 0 });
    expect(r.summary).toBe(
      "Agreement with the run of 2026-11-30T10:00:00.000Z: 2 of 2 repeated rows agree (each median inside the other run's 95 % interval), 1 of 1 single figures equal: the runs agree.",
    );
    expect(formatDisagreements(r)).toBe('');
  });

  it('names the rows that disagree, differ or are missing, and is not ok', () => {
    const b = report('2026-11-30T10:20:00.000Z', [repeated('engine.added', 0.9, [0.8, 1.0]), single('tokens.prompt', 505), single('new.row', 1)]);
    const r = compareReports(a, b);
    expect(r.ok).toBe(false);
    expect(r.rows.map((x) => [x.name, x.status])).toEqual([
      ['engine.added', 'disagree'],
      ['tokens.prompt', 'differ'],
      ['new.row', 'missing'],
      ['runner.ips', 'missing'],
    ]);
    expect(r.summary).toContain('0 of 1 repeated rows agree');
    expect(r.summary).toContain('disagree: engine.added; differ: tokens.prompt; missing: new.row, runner.ips.');
    expect(formatDisagreements(r)).toContain('engine.added: 0.2 [0.1, 0.3] vs 0.9 [0.8, 1]');
  });
});

describe('secondary readings', () => {
  it('count the target verdicts that stay the same and the rows that agree by their interquartile ranges', () => {
    const target = (name: string, value: number, verdict: BenchRow['verdict'], q: [number, number]): BenchRow => ({
      ...repeated(name, value, [value - 0.01, value + 0.01]),
      target: '< 2',
      verdict,
      pass: verdict === 'pass' ? true : verdict === 'fail' ? false : null,
      spread: { n: 9, q1: q[0], q3: q[1], ci: [value - 0.01, value + 0.01] },
    });
    const a = report('2026-11-30T10:00:00.000Z', [target('score', 1.8, 'pass', [1.7, 1.95]), target('p95', 0.7, 'pass', [0.6, 0.8]), single('tokens', 5)]);
    const b = report('2026-11-30T10:20:00.000Z', [target('score', 1.9, 'undecided', [1.75, 2.05]), target('p95', 0.9, 'pass', [0.85, 0.95]), single('tokens', 5)]);
    const r = compareReports(a, b);
    // Strictly (95 % intervals of the median) neither repeated row agrees…
    expect(r.counts).toMatchObject({ agree: 0, disagree: 2, equal: 1 });
    expect(r.ok).toBe(false);
    // …but one agrees within the samples' IQR, and one verdict changed.
    expect(r.secondary).toBe(
      "Target verdicts: 1 of 2 the same (changed: score pass → undecided); by the interquartile range (each median inside the other run's IQR): 1 of 2 repeated rows agree.",
    );
  });
});

describe('tables', () => {
  it('show the load average around each measurement and the suite time on the machine line', () => {
    const r = report('2026-11-30T10:00:00.000Z', [single('tokens.prompt', 504)]);
    const line = loadLine(r.runs, 2);
    expect(line).toBe('Load average (1 min) 0.4–2.0 on 2 cores; suite 73 s (per measurement: time, load before → after: parse-align 12 s, 0.4 → 1.2; scoring 61 s, 1.2 → 2.0).');
    expect(formatMarkdown(r).split('\n')[0]).toContain(line);
    expect(formatTable(r)).toContain(line);
    expect(loadLine(undefined, 2)).toBe('');
  });
});

describe('bench CLI --from/--compare', () => {
  const cli = join(REPO_ROOT, 'perf', 'run.ts');
  const write = async (dir: string, name: string, r: BenchReport): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, JSON.stringify(r), 'utf8');
    return path;
  };

  it('exits 0 with the agreement line in the Markdown when two saved reports agree, 1 when they do not, 2 on a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medfact-bench-compare-'));
    dirs.push(dir);
    const one = await write(dir, 'one.json', report('2026-11-30T10:00:00.000Z', [repeated('a', 1, [0.9, 1.1]), single('b', 3)]));
    const two = await write(dir, 'two.json', report('2026-11-30T10:20:00.000Z', [repeated('a', 1.05, [0.95, 1.1]), single('b', 3)]));
    const bad = await write(dir, 'bad.json', report('2026-11-30T10:40:00.000Z', [repeated('a', 2, [1.9, 2.1]), single('b', 3)]));
    const out = join(dir, 'out.json');

    const ok = await run(process.execPath, ['--import', 'tsx', cli, '--from', two, '--compare', one, '--markdown', '--out', out], { cwd: REPO_ROOT });
    expect(ok.stdout).toContain('Agreement with the run of 2026-11-30T10:00:00.000Z: 1 of 1 repeated rows agree');
    expect(ok.stdout).toContain('Load average (1 min)');
    expect(ok.stdout).toContain('| a | 1.05 |');
    const saved = JSON.parse(await readFile(out, 'utf8')) as BenchReport;
    expect(saved.agreement?.ok).toBe(true);
    expect(saved.results).toHaveLength(2);

    const failed = await run(process.execPath, ['--import', 'tsx', cli, '--from', bad, '--compare', one], { cwd: REPO_ROOT }).then(
      () => null,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('disagree: a.');

    const missing = await run(process.execPath, ['--import', 'tsx', cli, '--compare', join(dir, 'nope.json')], { cwd: REPO_ROOT }).then(
      () => null,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(missing?.code).toBe(2);
    expect(missing?.stderr).toContain('cannot read the report');
  }, 120_000);
});
