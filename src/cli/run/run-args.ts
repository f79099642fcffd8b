/**
 * Arguments of `medfact run`, checked up front so that a typo fails in a
 * second with exit code 2, not after an hour of inference.
 */
import { parseArgs } from 'node:util';
import { MAX_SAMPLES } from '../../core/check';
import { isPromptVariant, type PromptVariant } from '../../core/prompts';
import type { Dtype } from '../../protocol/engine';

export const RUN_USAGE = `Usage:
  medfact run <dataset> --engine openai --base-url <url> --model <name> [options]
  medfact run <dataset> --engine transformers --model-dir <folder> [--dtype fp32|fp16|q8|q4|q4f16] [options]

Options:
  --out <dir>             output folder (predictions.jsonl, run.json, cache/); default medfact-run
  --resume                continue the run in --out: only missing or failed items
  --concurrency <n>       items in flight at once (default 4; transformers: 1)
  --samples <k>           answers per text for self-consistency (default 1)
  --variant <v>           zero-shot | reasoning | few-shot (default zero-shot)
  --max-tokens <n>        answer length limit (default 512)
  --temperature <t>       0 is greedy (default 0)
  --seed <n>              sampling seed (default 0)
  --thinking              Qwen3 thinking on (default off)
  --threshold <p>         confidence threshold with a judge (default 0.5)
  --judge-model <name>    a yes/no judge model on the same server (reward gating)
  --api-key-env <VAR>     read the API key from this environment variable
  --context-tokens <n>    context window when the server does not report max_model_len
  --no-json-schema        do not ask for constrained JSON output
  --timeout-s <s>         fixed timeout per request (streams: longest silence); default adaptive:
                          6 × the server's observed 95th-percentile wait, from 2 s up to 120 s
  --retries <n>           retries per request for 429/5xx/timeouts/broken streams (default 5)
  --cache <dir>           response cache folder (default <out>/cache); --no-cache turns it off
  --map field=column      dataset field mapping, as for inspect/score
  --library <path>        check against a reference library (passages .jsonl/.csv, or a folder of
                          .txt/.md/.html/.pdf/.docx, as for retrieve): grounded prompt, citations
  --k <n>                 passages retrieved per query with --library (default 3)`;

export class RunUsageError extends Error {}

export interface RunArgs {
  dataset: string;
  engine: 'openai' | 'transformers';
  baseUrl?: string;
  model?: string;
  modelDir?: string;
  dtype: Dtype;
  apiKeyEnv?: string;
  judgeModel?: string;
  out: string;
  resume: boolean;
  concurrency: number;
  samples: number;
  variant: PromptVariant;
  maxTokens: number;
  temperature: number;
  seed: number;
  thinking: boolean;
  threshold: number;
  contextTokens?: number;
  jsonSchema: boolean;
  timeoutMs: number;
  /** No --timeout-s: adapt the timeout to the server's observed waits (ceiling timeoutMs). */
  adaptiveTimeout: boolean;
  retries: number;
  cacheDir: string | null;
  maps: string[];
  /** Reference library path (grounded checking), and passages per query. */
  library?: string;
  k: number;
}

function int(name: string, value: string | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new RunUsageError(`--${name} must be a whole number from ${min} to ${max} (got "${value}").`);
  return n;
}

function real(name: string, value: string | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new RunUsageError(`--${name} must be a number from ${min} to ${max} (got "${value}").`);
  return n;
}

const DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'];

export function parseRunArgs(argv: string[]): RunArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        engine: { type: 'string' },
        'base-url': { type: 'string' },
        model: { type: 'string' },
        'model-dir': { type: 'string' },
        dtype: { type: 'string' },
        'api-key-env': { type: 'string' },
        'judge-model': { type: 'string' },
        out: { type: 'string' },
        resume: { type: 'boolean' },
        concurrency: { type: 'string' },
        samples: { type: 'string' },
        variant: { type: 'string' },
        'max-tokens': { type: 'string' },
        temperature: { type: 'string' },
        seed: { type: 'string' },
        thinking: { type: 'boolean' },
        threshold: { type: 'string' },
        'context-tokens': { type: 'string' },
        'no-json-schema': { type: 'boolean' },
        'timeout-s': { type: 'string' },
        retries: { type: 'string' },
        cache: { type: 'string' },
        'no-cache': { type: 'boolean' },
        map: { type: 'string', multiple: true },
        library: { type: 'string' },
        k: { type: 'string' },
      },
    });
  } catch (e) {
    throw new RunUsageError(e instanceof Error ? e.message : String(e));
  }
  const { values: v, positionals } = parsed;
  if (positionals.length !== 1) throw new RunUsageError('run takes exactly one dataset file.');
  const engine = v.engine ?? 'openai';
  if (engine !== 'openai' && engine !== 'transformers') throw new RunUsageError('--engine must be openai or transformers.');
  if (engine === 'openai') {
    if (!v['base-url']) throw new RunUsageError('--engine openai needs --base-url (e.g. http://gpu1:8000/v1).');
    if (!v.model) throw new RunUsageError('--engine openai needs --model (the name the server serves).');
    if (v['model-dir']) throw new RunUsageError('--model-dir is for --engine transformers.');
  } else {
    if (!v['model-dir']) throw new RunUsageError('--engine transformers needs --model-dir <folder> (config.json, tokenizer files, onnx/).');
    if (v['base-url'] || v['judge-model'] || v['api-key-env']) throw new RunUsageError('--base-url, --judge-model and --api-key-env are for --engine openai.');
  }
  const dtype = (v.dtype ?? 'fp32') as Dtype;
  if (!DTYPES.includes(dtype)) throw new RunUsageError(`--dtype must be one of ${DTYPES.join(', ')}.`);
  const variant = v.variant ?? 'zero-shot';
  if (!isPromptVariant(variant)) throw new RunUsageError('--variant must be zero-shot, reasoning or few-shot.');
  if (v.cache && v['no-cache']) throw new RunUsageError('--cache and --no-cache exclude each other.');
  if (v['api-key-env'] !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v['api-key-env'])) throw new RunUsageError('--api-key-env takes the NAME of an environment variable, not the key itself.');
  const out = v.out ?? 'medfact-run';
  const args: RunArgs = {
    dataset: positionals[0] as string,
    engine,
    dtype,
    out,
    resume: v.resume ?? false,
    concurrency: int('concurrency', v.concurrency, 1, 1024, engine === 'openai' ? 4 : 1),
    samples: int('samples', v.samples, 1, MAX_SAMPLES, 1),
    variant,
    maxTokens: int('max-tokens', v['max-tokens'], 16, 1_000_000, 512),
    temperature: real('temperature', v.temperature, 0, 2, 0),
    seed: int('seed', v.seed, 0, 2 ** 31 - 1, 0),
    thinking: v.thinking ?? false,
    threshold: real('threshold', v.threshold, 0, 1, 0.5),
    jsonSchema: !(v['no-json-schema'] ?? false),
    timeoutMs: real('timeout-s', v['timeout-s'], 0.1, 86_400, 120) * 1000,
    adaptiveTimeout: v['timeout-s'] === undefined,
    retries: int('retries', v.retries, 0, 100, 5),
    cacheDir: v['no-cache'] ? null : (v.cache ?? `${out}/cache`),
    maps: v.map ?? [],
    k: int('k', v.k, 1, 50, 3),
  };
  if (v.k !== undefined && !v.library) throw new RunUsageError('--k is for --library.');
  if (v.library) args.library = v.library;
  if (v['base-url']) args.baseUrl = v['base-url'];
  if (v.model) args.model = v.model;
  if (v['model-dir']) args.modelDir = v['model-dir'];
  if (v['api-key-env']) args.apiKeyEnv = v['api-key-env'];
  if (v['judge-model']) args.judgeModel = v['judge-model'];
  if (v['context-tokens'] !== undefined) args.contextTokens = int('context-tokens', v['context-tokens'], 256, 10_000_000, 0);
  return args;
}
