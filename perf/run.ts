/**
 * `npm run bench [-- --quick] [--rounds N] [--only a,b] [--skip-browser] [--out file.json] [--markdown] [--compare previous.json] [--from report.json]`
 * Prints the results table; with --out writes the JSON report; with
 * --compare says row by row whether this run agrees with an earlier report
 * (perf/compare.ts); with --from formats (and compares) a saved report
 * instead of running the suite. Exits 0 even when targets are missed (the
 * table says pass/FAIL); 1 when a measurement itself broke or the runs do
 * not agree, 2 on bad arguments or an unreadable report.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { compareReports, formatDisagreements } from './compare';
import { MEASUREMENTS, runSuite } from './suite';
import { formatMarkdown, formatTable } from './table';
import type { BenchReport } from './types';

const USAGE = `Usage: npm run bench -- [--quick] [--all] [--rounds N] [--only name,name] [--skip-browser] [--out report.json] [--markdown] [--compare previous.json] [--from report.json]
Measurements: ${MEASUREMENTS.map((m) => m.name).join(', ')}`;

/** A report written by --out (checked only as far as the agreement check and the tables need). */
async function readReport(path: string): Promise<BenchReport> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the report ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const r = json as Partial<BenchReport> | null;
  if (!r || typeof r !== 'object' || !Array.isArray(r.results) || typeof r.date !== 'string' || !r.machine) {
    throw new Error(`${path} is not a bench report (expected { machine, date, results: [...] } as --out writes it)`);
  }
  return { quick: false, errors: [], ...r } as BenchReport;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        out: { type: 'string' },
        quick: { type: 'boolean' },
        all: { type: 'boolean' },
        rounds: { type: 'string' },
        only: { type: 'string', multiple: true },
        'skip-browser': { type: 'boolean' },
        markdown: { type: 'boolean' },
        compare: { type: 'string' },
        from: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds);
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds >= 1 && rounds <= 20)) {
    console.error(`bench: --rounds must be a whole number from 1 to 20, got "${values.rounds}"\n${USAGE}`);
    return 2;
  }
  const only = (values.only ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  let report: BenchReport;
  let previous: BenchReport | null = null;
  try {
    // Read the earlier report first: a typo should not cost a whole suite run.
    if (values.compare) previous = await readReport(values.compare);
    report = values.from
      ? await readReport(values.from)
      : await runSuite({ quick: values.quick ?? false, all: values.all ?? false, only, ...(rounds ? { rounds } : {}), skipBrowser: values['skip-browser'] ?? false, log: (l) => console.error(l) });
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const agreement = previous ? compareReports(previous, report) : null;
  if (agreement) report.agreement = { with: previous?.date ?? '', ok: agreement.ok, counts: agreement.counts, summary: agreement.summary, secondary: agreement.secondary };
  process.stdout.write(values.markdown ? formatMarkdown(report) : formatTable(report));
  if (agreement) {
    process.stderr.write(formatDisagreements(agreement));
    console.error(agreement.summary);
    console.error(agreement.secondary);
  }
  if (values.out) {
    const { machine, date, results, errors, quick, runs, rounds: passes } = report;
    const extra = { ...(passes ? { rounds: passes } : {}), ...(report.agreement ? { agreement: report.agreement } : {}) };
    await writeFile(values.out, `${JSON.stringify({ machine, date, quick, results, errors, runs, ...extra }, null, 2)}\n`, 'utf8');
    console.error(`wrote ${values.out}`);
  }
  return report.errors.length > 0 || (agreement && !agreement.ok) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('bench: the suite broke:', error);
    process.exitCode = 1;
  },
);
