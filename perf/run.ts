/**
 * `npm run bench [-- --quick] [--only a,b] [--skip-browser] [--out file.json] [--markdown]`
 * Prints the results table; with --out writes the JSON report. Exits 0 even
 * when targets are missed (the table says pass/FAIL); 1 when a measurement
 * itself broke, 2 on bad arguments.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { MEASUREMENTS, runSuite } from './suite';
import { formatMarkdown, formatTable } from './table';

const USAGE = `Usage: npm run bench -- [--quick] [--only name,name] [--skip-browser] [--out report.json] [--markdown]
Measurements: ${MEASUREMENTS.map((m) => m.name).join(', ')}`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        out: { type: 'string' },
        quick: { type: 'boolean' },
        only: { type: 'string', multiple: true },
        'skip-browser': { type: 'boolean' },
        markdown: { type: 'boolean' },
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
  const only = (values.only ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  let report;
  try {
    report = await runSuite({ quick: values.quick ?? false, only, skipBrowser: values['skip-browser'] ?? false, log: (l) => console.error(l) });
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  process.stdout.write(values.markdown ? formatMarkdown(report) : formatTable(report));
  if (values.out) {
    const { machine, date, results, errors, quick } = report;
    await writeFile(values.out, `${JSON.stringify({ machine, date, quick, results, errors }, null, 2)}\n`, 'utf8');
    console.error(`wrote ${values.out}`);
  }
  return report.errors.length > 0 ? 1 : 0;
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
