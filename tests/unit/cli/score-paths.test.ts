/**
 * Issue 15: `medfact score` reads JSONL predictions in a worker thread and
 * hands prepared predictions to the metrics by position. Both are fast paths
 * beside the plain ones (read in-process; metrics indexing predictions by
 * id), and must give byte-identical reports, messages and exit codes, also
 * on a file full of bad lines. Run as a user runs it: the launcher (the
 * pre-bundled CLI) as a child process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { importDataset } from '../../../src/core/dataset/import-dataset';
import { computeMetrics } from '../../../src/core/metrics/compute-metrics';
import { prepareScoring } from '../../../src/core/metrics/coverage';
import { readPredictions } from '../../../src/core/predictions';
import { makeHostileScoringFiles } from '../../fixtures/hostile-scoring';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');
const launcher = join(root, 'scripts', 'medfact.mjs');
const dir = mkdtempSync(join(tmpdir(), 'medfact-score-paths-'));
const files = makeHostileScoringFiles(3000);
const datasetPath = join(dir, 'dataset.jsonl');
const predictionsPath = join(dir, 'predictions.jsonl');
writeFileSync(datasetPath, files.dataset, 'utf8');
writeFileSync(predictionsPath, files.predictions, 'utf8');

async function medfact(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [launcher, ...args], { cwd: root, env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const inProcess = { MEDFACT_SCORE_THREAD: '0' };
// Forced on: by default the thread is used only when a core is free (a busy test machine would compare in-process with itself).
const threaded = { MEDFACT_SCORE_THREAD: '1' };

describe('medfact score: the worker-thread path answers exactly like the in-process one', () => {
  it('gives the same JSON, CSV and text reports and messages on a file with every kind of bad line', async () => {
    const debug = await medfact(['score', datasetPath, predictionsPath, '--json'], { ...threaded, MEDFACT_DEBUG: '1' });
    expect(debug.stderr).toContain('medfact: predictions read in a worker thread.');
    for (const format of [['--json'], ['--csv'], []]) {
      const viaThread = await medfact(['score', datasetPath, predictionsPath, ...format], threaded);
      const plain = await medfact(['score', datasetPath, predictionsPath, ...format], inProcess);
      expect(viaThread.code).toBe(0);
      expect(viaThread.stdout).toBe(plain.stdout);
      expect(viaThread.stderr).toBe(plain.stderr);
    }
    const report = JSON.parse((await medfact(['score', datasetPath, predictionsPath, '--json'], threaded)).stdout) as {
      dataset: { items: number; rejected: number };
      coverage: { duplicates: { id: string }[]; unknown: number; rejected_lines: number; warnings: string[] };
      prediction_issues: { line: number; message: string }[];
    };
    // The comparison covered the bad lines: they are reported, by line, in both.
    expect(report.dataset.rejected).toBeGreaterThanOrEqual(7);
    expect(report.coverage.duplicates.map((d) => d.id)).toEqual(expect.arrayContaining(['s12', 'unknown-1']));
    expect(report.coverage.unknown).toBe(3);
    expect(report.coverage.rejected_lines).toBeGreaterThanOrEqual(12);
    expect(report.prediction_issues.map((i) => i.message)).toContain('invalid JSON; line skipped');
    expect(report.coverage.warnings.join(' ')).toMatch(/have no prediction/);
  });

  it('reports the dataset first, and a file with no readable prediction the same way', async () => {
    const missing = await medfact(['score', join(dir, 'no-such.jsonl'), predictionsPath, '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Cannot open .*no-such\.jsonl/);
    const junk = join(dir, 'junk.jsonl');
    writeFileSync(junk, 'not json\n[1]\n{"has_error":true}\n', 'utf8');
    const viaThread = await medfact(['score', datasetPath, junk, '--json'], threaded);
    const plain = await medfact(['score', datasetPath, junk, '--json'], inProcess);
    expect(viaThread.code).toBe(1);
    expect(viaThread.stderr).toMatch(/No readable predictions in .*junk\.jsonl \(line 1: invalid JSON; line skipped\)/);
    expect(viaThread).toEqual(plain);
  });
});

describe('metrics from prepared predictions by position', () => {
  it('equal the metrics that index the predictions by id', async () => {
    const dataset = await importDataset(new Blob([files.dataset]), { fileName: 'dataset.jsonl' });
    const prepared = prepareScoring(dataset.items, await readPredictions(new Blob([files.predictions])));
    expect(prepared.aligned?.byItem).toHaveLength(dataset.items.length);
    expect(Object.keys(prepared)).not.toContain('aligned');
    const byId = computeMetrics(dataset.items, prepared.predictions, { resamples: 200 });
    const byPosition = computeMetrics(dataset.items, prepared.predictions, { resamples: 200, aligned: prepared.aligned! });
    expect(JSON.stringify(byPosition)).toBe(JSON.stringify(byId));
    expect(byId.unknown_predictions).toBe(3);
  });
});
