/**
 * Item 1 (Node on CPU): engine overhead. A full check() through the app's
 * engine client and a real worker_threads worker serving
 * createTransformersEngine via serveEngine (the browser worker's code), against
 * the same fixture model called directly through transformers.js in this
 * process: same prompt (the zero-shot verifier prompt), greedy, same token
 * budget. Repetitions alternate (app, direct, app, direct, …) so drift hits
 * both; the figure is the median of the per-pair ratios of CPU time per
 * generated token (both paths run in this process, so process.cpuUsage()
 * counts the worker thread too), wall time beside it for information.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngineClient } from '../src/client/engine-client';
import { buildVerifierPrompt } from '../src/core/prompts';
import { check } from '../src/core/check';
import type { ModelSpec } from '../src/protocol/engine';
import { ensureFixtureModels } from '../tests/fixtures/ensure-models';
import { startMirrorServer } from '../tests/fixtures/mirror-server';
import { startNodeWorker } from './node-worker';
import { pinOrtToOneThread } from './ort-threads';
import { TYPICAL_TEXT } from './typical-text';
import { perRound, sampledRow, type BenchContext, type BenchRow, type Measurement } from './types';

export const FIXTURE_VERIFIER = 'fixture/tiny-verifier';
const MAX_TOKENS = 128;

export interface OverheadSample {
  appMsPerToken: number;
  directMsPerToken: number;
  /** CPU time per token (process.cpuUsage: every thread of the process, worker included), where it can be read. */
  appCpuMsPerToken?: number;
  directCpuMsPerToken?: number;
}

/** Engines a real model runs at (ms per generated token) onto which the added time is projected. */
export const PROJECTED_MS_PER_TOKEN = [10, 20, 50] as const;

/** Ratio, added time and its projections for one clock; `suffix` marks the wall-clock rows beside CPU ones. */
function clockRows(prefix: string, app: readonly number[], direct: readonly number[], clock: 'cpu' | 'wall', decide: boolean, note: string, suffix: string): BenchRow[] {
  const ratios = app.map((a, i) => a / (direct[i] as number));
  const added = app.map((a, i) => a - (direct[i] as number));
  const target = decide ? ({ op: '<=', limit: 1.05 } as const) : null;
  const what = clock === 'cpu' ? 'CPU time' : 'wall time';
  return [
    sampledRow(`${prefix}.ratio${suffix}`, ratios, 'ratio', target, `${note}; per-pair ratio of ${what} over the ~1 ms/token fixture`, { clock }),
    sampledRow(`${prefix}.added${suffix}`, added, 'ms/token', null, `per-pair extra ${what} per token through the app (messages, streaming, parse)`, { digits: 4, clock }),
    ...PROJECTED_MS_PER_TOKEN.map((ms) =>
      sampledRow(
        `${prefix}.projected-${ms}ms${suffix}`,
        added.map((a) => 1 + a / ms),
        'ratio',
        target,
        `the added ${what} over an engine decoding at ${ms} ms/token (${Math.round(1000 / ms)} tokens/s): 1 + added/${ms}`,
        { digits: 4, clock },
      ),
    ),
    sampledRow(`${prefix}.app${suffix}`, app, 'ms/token', null, `check() through the engine worker, ${what}`, { clock }),
    sampledRow(`${prefix}.direct${suffix}`, direct, 'ms/token', null, `transformers.js generate() directly, ${what}`, { clock }),
  ];
}

/**
 * Rows shared by the Node and the Chromium variants. The fixture decodes in
 * about 1 ms a token, so a ratio over it magnifies any fixed cost and swings
 * with machine noise; the figure that transfers is the added time per token
 * (per-pair difference, with its interval), projected onto real engines.
 * Where CPU time per token was read (Node), the targets are decided on it and
 * the wall-clock rows (`….wall`) are given beside it for information: on a
 * shared machine wall time mostly measures the other processes.
 */
export function overheadRows(prefix: string, samples: readonly OverheadSample[], note: string): BenchRow[] {
  const appWall = samples.map((s) => s.appMsPerToken);
  const directWall = samples.map((s) => s.directMsPerToken);
  const appCpu = samples.map((s) => s.appCpuMsPerToken);
  const directCpu = samples.map((s) => s.directCpuMsPerToken);
  const hasCpu = (v: (number | undefined)[]): v is number[] => v.every((x) => x !== undefined && Number.isFinite(x));
  if (samples.length > 0 && hasCpu(appCpu) && hasCpu(directCpu)) {
    return [...clockRows(prefix, appCpu, directCpu, 'cpu', true, note, ''), ...clockRows(prefix, appWall, directWall, 'wall', false, note, '.wall')];
  }
  return clockRows(prefix, appWall, directWall, 'wall', true, note, '');
}

/** Wall and CPU milliseconds of `work` (CPU: user + system of the whole process, all threads). */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; wallMs: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await work();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { result, wallMs, cpuMs: (c.user + c.system) / 1000 };
}

export const engineOverheadNodeMeasurement: Measurement = {
  name: 'engine-overhead-node',
  browser: false,
  repeat: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const reps = ctx.quick ? 2 : perRound(ctx, 31, 7);
    const modelsDir = await ensureFixtureModels(join(ctx.root, 'tests', '.cache', 'models'));
    const mirror = await startMirrorServer({ root: modelsDir });
    const cacheDir = await mkdtemp(join(tmpdir(), 'medfact-bench-tfjs-'));
    const worker = { current: null as ReturnType<typeof startNodeWorker> | null };
    const client = createEngineClient({
      createWorker: () => (worker.current = startNodeWorker(new URL('./workers/engine-node-worker.ts', import.meta.url), { cacheDir, oneThread: true })),
    });
    try {
      const spec: ModelSpec = {
        id: FIXTURE_VERIFIER,
        engine: 'transformers',
        task: 'text-generation',
        device: 'cpu',
        dtype: 'fp32',
        source: { hubHost: mirror.url, revision: 'main', mirrorOnly: true },
      };
      await client.load(spec);

      // The raw library, same files, same process; onnxruntime on one thread on both sides (perf/ort-threads.ts).
      pinOrtToOneThread();
      const tf = await import('@huggingface/transformers');
      tf.env.allowRemoteModels = false;
      tf.env.allowLocalModels = true;
      tf.env.localModelPath = `${modelsDir}/`;
      const tokenizer = await tf.AutoTokenizer.from_pretrained(FIXTURE_VERIFIER);
      const model = await tf.AutoModelForCausalLM.from_pretrained(FIXTURE_VERIFIER, { device: 'cpu', dtype: 'fp32' });

      const messages = buildVerifierPrompt(TYPICAL_TEXT, 'zero-shot').messages;
      type PerToken = { wall: number; cpu: number };
      const runApp = async (): Promise<PerToken> => {
        const { result, wallMs, cpuMs } = await timed(() => check(TYPICAL_TEXT, { verifier: client, verifierId: FIXTURE_VERIFIER, options: { variant: 'zero-shot', maxTokens: MAX_TOKENS } }));
        if (result.tokens.completion === 0) throw new Error('the app generated no tokens');
        return { wall: wallMs / result.tokens.completion, cpu: cpuMs / result.tokens.completion };
      };
      const generateDirect = async (): Promise<number> => {
        const inputs = tokenizer.apply_chat_template(messages, { add_generation_prompt: true, enable_thinking: false, return_dict: true } as never) as unknown as {
          input_ids: { dims: number[] };
        };
        const promptTokens = inputs.input_ids.dims[inputs.input_ids.dims.length - 1] ?? 0;
        const out = (await model.generate({ ...(inputs as object), max_new_tokens: MAX_TOKENS, do_sample: false })) as { dims: number[] };
        const generated = (out.dims[out.dims.length - 1] ?? 0) - promptTokens;
        if (generated <= 0) throw new Error('transformers.js generated no tokens');
        return generated;
      };
      const runDirect = async (): Promise<PerToken> => {
        const { result: generated, wallMs, cpuMs } = await timed(generateDirect);
        return { wall: wallMs / generated, cpu: cpuMs / generated };
      };

      await runApp(); // warm-up both paths
      await runDirect();
      const samples: OverheadSample[] = [];
      for (let i = 0; i < reps; i++) {
        // ABAB, starting side alternates too
        let app: PerToken;
        let direct: PerToken;
        if (i % 2 === 0) {
          app = await runApp();
          direct = await runDirect();
        } else {
          direct = await runDirect();
          app = await runApp();
        }
        samples.push({ appMsPerToken: app.wall, directMsPerToken: direct.wall, appCpuMsPerToken: app.cpu, directCpuMsPerToken: direct.cpu });
      }
      await model.dispose();
      ctx.log(`engine-overhead-node: ${reps} pairs`);
      return overheadRows('engine-overhead.node', samples, `${reps} ABAB pairs, ${FIXTURE_VERIFIER} fp32 on CPU (onnxruntime on one thread on both sides), zero-shot prompt, greedy`);
    } finally {
      client.dispose();
      await worker.current?.exited;
      await mirror.close();
      await rm(cacheDir, { recursive: true, force: true });
    }
  },
};
