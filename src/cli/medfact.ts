/**
 * medfact: command-line tools over the pure core.
 *   medfact inspect <dataset> [--map field=column …] [--json]
 *   medfact score <dataset> <predictions.jsonl> [--criterion span|sentence] [--map …] [--json | --csv]
 *   medfact demo --out <file.jsonl>
 *   medfact retrieve --library <passages|folder> --queries <queries.jsonl> [--k 10] [--json]
 * User errors end with a message on stderr and exit code 1 (2 for usage).
 */
import { openAsBlob } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { MedfactError } from '../protocol/errors';
import { demoSetJsonl, importDataset, parseMappingOverrides, type ImportResult } from '../core/dataset';
import { computeMetrics, metricsToCsv, type Metrics } from '../core/metrics';
import { readPredictions } from '../core/predictions';
import { formatInspect, formatMetrics } from './format';

const USAGE = `Usage:
  medfact inspect <dataset> [--map field=column …] [--json]
  medfact score <dataset> <predictions.jsonl> [--criterion span|sentence] [--map field=column …] [--json | --csv]
  medfact demo --out <file.jsonl>
  medfact retrieve --library <passages.jsonl | folder of .txt/.md/.pdf/.docx> --queries <queries.jsonl> [--k 10] [--json]

Datasets: .jsonl, .json, .csv, .tsv, .parquet (UTF-8 or GB18030).
Fields for --map: id, text, label, errorSpan, start, end, correction, errorType, specialty, style, difficulty, sentences, errorSentenceId.`;

class UsageError extends Error {}

async function openFile(path: string): Promise<Blob> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new MedfactError('BAD_INPUT', `${path} is not a file.`);
    return await openAsBlob(path);
  } catch (e) {
    if (e instanceof MedfactError) throw e;
    throw new MedfactError('NOT_FOUND', `Cannot open ${path}: no such file or not readable.`);
  }
}

async function loadDataset(path: string, maps: string[]): Promise<ImportResult> {
  const blob = await openFile(path);
  return importDataset(blob, { fileName: path, mapping: parseMappingOverrides(maps) });
}

function withoutItems(r: ImportResult): Omit<ImportResult, 'items'> & { items: number } {
  const { items, ...rest } = r;
  return { ...rest, items: items.length };
}

async function main(argv: string[]): Promise<number> {
  // retrieve has its own options (src/cli/retrieve.ts).
  if (argv[0] === 'retrieve') return (await import('./retrieve')).runRetrieve(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      map: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      criterion: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || command === undefined || command === 'help') {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const maps = values.map ?? [];
  switch (command) {
    case 'inspect': {
      if (args.length !== 1) throw new UsageError('inspect takes exactly one dataset file.');
      const result = await loadDataset(args[0] as string, maps);
      process.stdout.write(values.json ? `${JSON.stringify(withoutItems(result), null, 2)}\n` : formatInspect(result));
      return 0;
    }
    case 'score': {
      if (args.length !== 2) throw new UsageError('score takes a dataset file and a predictions file.');
      const criterion = values.criterion;
      if (criterion !== undefined && criterion !== 'span' && criterion !== 'sentence') throw new UsageError('--criterion must be span or sentence.');
      const dataset = await loadDataset(args[0] as string, maps);
      const preds = await readPredictions(await openFile(args[1] as string));
      if (preds.predictions.length === 0) {
        throw new MedfactError('BAD_INPUT', `No readable predictions in ${args[1] as string}${preds.issues[0] ? ` (line ${preds.issues[0].line}: ${preds.issues[0].message})` : ''}.`);
      }
      for (const issue of preds.issues.slice(0, 20)) console.error(`predictions line ${issue.line}: ${issue.message}`);
      if (preds.issues.length > 20) console.error(`… and ${preds.issues.length - 20} more prediction issues.`);
      const metrics: Metrics = computeMetrics(dataset.items, preds.predictions, { criterion: criterion ?? dataset.unit });
      if (values.json) {
        const out = {
          ...metrics,
          dataset: { content_hash: dataset.contentHash, items: dataset.items.length, rejected: dataset.rejected.length, unplaced_gold: dataset.stats.unplacedGold },
          prediction_issues: preds.issues,
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else if (values.csv) {
        process.stdout.write(metricsToCsv(metrics));
      } else {
        process.stdout.write(formatMetrics(metrics, dataset));
      }
      return 0;
    }
    case 'demo': {
      if (!values.out) throw new UsageError('demo needs --out <file.jsonl>.');
      await writeFile(values.out, demoSetJsonl(), 'utf8');
      console.error(`Wrote the demo set (40 texts) to ${values.out}.`);
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}


main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof Error && 'code' in error && String((error as { code: unknown }).code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`medfact: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof MedfactError) {
      console.error(`medfact: ${error.message}`);
      process.exitCode = 1;
    } else {
      console.error(`medfact: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
      if (process.env.MEDFACT_DEBUG && error instanceof Error) console.error(error.stack);
      process.exitCode = 1;
    }
  },
);
