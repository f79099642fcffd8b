/**
 * medfact: command-line tools over the pure core.
 *   medfact inspect <dataset> [--map field=column …] [--json]
 *   medfact score <dataset> <predictions.jsonl|submission.txt> [--criterion span|sentence] [--map …] [--json | --csv] [--mediqa-out <file>]
 *   medfact demo --out <file.jsonl>
 *   medfact meds --formulary <file> <texts.jsonl> [--json]
 *   medfact run <dataset> --engine openai|transformers … (src/cli/run/)
 *   medfact retrieve --library <passages|folder> --queries <queries.jsonl> [--k 10] [--json]
 * User errors end with a message on stderr and exit code 1 (2 for usage).
 * A reader that closes the pipe early (`| head`) ends the program quietly.
 */
import { openAsBlob } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { endQuietlyOnBrokenPipe } from './epipe';
import { parseArgs } from 'node:util';
import { isMainThread } from 'node:worker_threads';
import { MedfactError } from '../protocol/errors';
import { demoSetJsonl } from '../core/dataset/demo-set';
import { importDataset } from '../core/dataset/import-dataset';
import { parseMappingOverrides } from '../core/dataset/field-mapping';
import type { ImportResult } from '../core/dataset/types';
import { readLabel } from '../core/dataset/normalize-labels';
import { formatInspect } from './format';
import { runMedsCommand } from './meds-command';
import { scoreCommand } from './score-command';
import { inMemory, sha256Text } from './memory-source';

const USAGE = `Usage:
  medfact inspect <dataset> [--map field=column …] [--json]
  medfact score <dataset> <predictions.jsonl|submission.txt> [--criterion span|sentence] [--map field=column …] [--json | --csv] [--mediqa-out <file>]
  medfact demo --out <file.jsonl>
  medfact meds --formulary <file> <texts.jsonl> [--json]
  medfact run <dataset> --engine openai --base-url <url> --model <name> [--out <dir>] [--resume] …  (medfact run --help)
  medfact retrieve --library <passages.jsonl | folder of .txt/.md/.pdf/.docx> --queries <queries.jsonl> [--k 10] [--json]

Predictions: our JSONL, or a MEDIQA-CORR submission ("text_id flag sentence_id corrected_sentence"; detected).
--mediqa-out writes the predictions as a MEDIQA-CORR submission (datasets with sentence ids, e.g. MEDEC).

Datasets: .jsonl, .json, .csv, .tsv, .parquet, also gzip-compressed (.csv.gz …); UTF-8, GB18030, UTF-16 or UTF-32.
--label-error-value V: the label value that means "has an error", for a label column whose yes/no values
  do not say (e.g. "label": true/false); see the README's label rules.
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

/** `--label-error-value V`: the label value that means "has an error" (answers an ambiguous label column). */
function labelOptions(errorValue: string | undefined): { labelMeansCorrect?: boolean } {
  if (errorValue === undefined) return {};
  const reading = readLabel(errorValue);
  if (reading.kind !== 'yes') throw new UsageError(`--label-error-value takes a yes/no-like value such as true, false, 1, 0, 是, 否 (got "${errorValue}").`);
  return { labelMeansCorrect: !reading.yes };
}

async function loadDataset(path: string, maps: string[], errorValue?: string): Promise<ImportResult> {
  const blob = inMemory(path, await openFile(path));
  return importDataset(blob, { fileName: path, mapping: parseMappingOverrides(maps), ...labelOptions(errorValue), sha256: sha256Text });
}

/** A dataset to score against: an unanswered label question stops here (scores would rest on a guess). */
async function loadScoringDataset(path: string, maps: string[], errorValue: string | undefined): Promise<ImportResult> {
  const dataset = await loadDataset(path, maps, errorValue);
  if (dataset.labelQuestion) {
    const q = dataset.labelQuestion;
    throw new MedfactError('BAD_INPUT', `${path}: ${q.rows} rows have labels (${q.values.map((v) => `"${v}"`).join(', ')}) in column "${q.column}" that could mean either "has an error" or "is correct"; say which value means "has an error" with --label-error-value <value>.`);
  }
  return dataset;
}

function withoutItems(r: ImportResult): Omit<ImportResult, 'items'> & { items: number } {
  const { items, ...rest } = r;
  return { ...rest, items: items.length };
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'run') return (await import('./run/run-command')).runCommand(argv.slice(1));
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
      'label-error-value': { type: 'string' },
      out: { type: 'string' },
      'mediqa-out': { type: 'string' },
      formulary: { type: 'string' },
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
      const result = await loadDataset(args[0] as string, maps, values['label-error-value']);
      process.stdout.write(values.json ? `${JSON.stringify(withoutItems(result), null, 2)}\n` : formatInspect(result));
      return 0;
    }
    case 'score': {
      if (args.length !== 2) throw new UsageError('score takes a dataset file and a predictions file.');
      const criterion = values.criterion;
      if (criterion !== undefined && criterion !== 'span' && criterion !== 'sentence') throw new UsageError('--criterion must be span or sentence.');
      return scoreCommand(
        {
          datasetPath: args[0] as string,
          predictionsPath: args[1] as string,
          maps: parseMappingOverrides(maps),
          criterion,
          output: values.json ? 'json' : values.csv ? 'csv' : 'text',
          mediqaOut: values['mediqa-out'],
        },
        {
          openFile,
          loadDataset: (path) => loadScoringDataset(path, maps, values['label-error-value']),
          out: (text) => process.stdout.write(text),
          err: (line) => console.error(line),
          // A chunk of its own in the bundle, so that its worker thread never loads this entry point.
          readAside: async (path) => (await import('./predictions-thread')).readPredictionsAside(path),
        },
      );
    }
    case 'demo': {
      if (!values.out) throw new UsageError('demo needs --out <file.jsonl>.');
      await writeFile(values.out, demoSetJsonl(), 'utf8');
      console.error(`Wrote the demo set (40 texts) to ${values.out}.`);
      return 0;
    }
    case 'meds': {
      if (!values.formulary || args.length !== 1) throw new UsageError('meds takes --formulary <file> and one texts.jsonl file.');
      return runMedsCommand({ formulary: values.formulary, texts: args[0] as string, json: values.json === true });
    }
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

endQuietlyOnBrokenPipe();
// Worker threads (predictions-thread.ts) load their own module; should one ever load this file, it must not run the CLI again.
if (isMainThread) main(process.argv.slice(2)).then(
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
