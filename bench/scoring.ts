/**
 * Item 4: `medfact score` over 100,000 synthetic items, timed as the user
 * runs it (a child process: start-up, dataset import, predictions, metrics
 * with 1,000 bootstrap resamples and all breakdowns, output). The metrics
 * step alone is also timed in-process, for information.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { importDataset } from '../src/core/dataset';
import { computeMetrics } from '../src/core/metrics';
import { parsePredictionsJsonl } from '../src/core/predictions';
import { ERROR_TYPES, SPECIALTIES, STYLES } from '../src/core/labels';
import { round } from './stats';
import { makeText, seededRandom } from './synthetic';
import { infoRow, targetRow, type BenchContext, type BenchRow, type Measurement } from './types';

const run = promisify(execFile);

/** Dataset and predictions as JSONL, in the layout `medfact demo` writes. */
export function makeScoringFiles(count: number, seed = 11): { dataset: string; predictions: string } {
  const rng = seededRandom(seed);
  const data: string[] = [];
  const preds: string[] = [];
  for (let i = 0; i < count; i++) {
    const text = makeText(rng, 60 + Math.floor(rng() * 140));
    const hasError = i % 2 === 0;
    const start = Math.floor(rng() * (text.length - 8));
    const end = start + 2 + Math.floor(rng() * 6);
    data.push(
      JSON.stringify({
        id: `s${i}`,
        text,
        has_error: hasError,
        error_text: hasError ? text.slice(start, end) : null,
        start: hasError ? start : null,
        end: hasError ? end : null,
        correction: hasError ? '改正' : null,
        error_type: hasError ? ERROR_TYPES[i % ERROR_TYPES.length] : null,
        specialty: SPECIALTIES[i % SPECIALTIES.length],
        style: STYLES[i % STYLES.length],
        difficulty: 1 + (i % 5),
      }),
    );
    const flagged = rng() < 0.6;
    const shift = Math.floor(rng() * 4) - 2;
    const ps = Math.max(0, start + shift);
    const pe = Math.min(text.length, end + shift);
    preds.push(
      JSON.stringify({
        id: `s${i}`,
        has_error: flagged,
        spans: flagged ? [{ start: ps, end: pe, text: text.slice(ps, pe), score: round(rng(), 3) }] : [],
        score: round(rng(), 3),
      }),
    );
  }
  return { dataset: `${data.join('\n')}\n`, predictions: `${preds.join('\n')}\n` };
}

export const scoringMeasurement: Measurement = {
  name: 'scoring',
  browser: false,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const count = ctx.quick ? 1000 : 100_000;
    const dir = await mkdtemp(join(tmpdir(), 'medfact-bench-score-'));
    try {
      const files = makeScoringFiles(count);
      const datasetPath = join(dir, 'dataset.jsonl');
      const predictionsPath = join(dir, 'predictions.jsonl');
      await writeFile(datasetPath, files.dataset, 'utf8');
      await writeFile(predictionsPath, files.predictions, 'utf8');

      const cli = join(ctx.root, 'src', 'cli', 'medfact.ts');
      const t0 = performance.now();
      const { stdout } = await run(process.execPath, ['--import', 'tsx', cli, 'score', datasetPath, predictionsPath, '--json'], {
        cwd: ctx.root,
        maxBuffer: 256 * 1024 * 1024,
      });
      const cliMs = performance.now() - t0;
      const report = JSON.parse(stdout) as { vc?: { f1?: number }; dataset?: { items?: number } };
      if (report.dataset?.items !== count) throw new Error(`medfact score read ${String(report.dataset?.items)} items, expected ${count}.`);

      // Node start-up + tsx alone, to tell the app's work from the runtime's.
      const s0 = performance.now();
      await run(process.execPath, ['--import', 'tsx', '-e', '0'], { cwd: ctx.root });
      const startupMs = performance.now() - s0;

      const i0 = performance.now();
      const dataset = await importDataset(new Blob([files.dataset]), { fileName: 'dataset.jsonl' });
      const predictions = parsePredictionsJsonl(files.predictions).predictions;
      const i1 = performance.now();
      computeMetrics(dataset.items, predictions);
      const metricsMs = performance.now() - i1;
      ctx.log(`scoring: ${count} items, CLI ${round(cliMs, 0)} ms, metrics ${round(metricsMs, 0)} ms`);
      const note = `${count.toLocaleString('en')} items, JSONL, --json, 1,000 bootstrap resamples`;
      return [
        targetRow('scoring.cli', round(cliMs / 1000, 2), 's', { op: '<', limit: 3 }, `${note}; wall time of the whole command`),
        infoRow('scoring.node-startup', round(startupMs / 1000, 2), 's', 'node --import tsx doing nothing (part of the CLI time)'),
        infoRow('scoring.import', round((i1 - i0) / 1000, 2), 's', 'in-process dataset import + predictions parse'),
        infoRow('scoring.metrics', round(metricsMs / 1000, 2), 's', 'in-process computeMetrics (all breakdowns, bootstrap)'),
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
