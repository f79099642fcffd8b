/**
 * Item 1 (Node on CPU): engine overhead. A full check() through the app's
 * engine client and a real worker_threads worker serving
 * createTransformersEngine via serveEngine (the browser worker's code), against
 * the same fixture model called directly through transformers.js in this
 * process: same prompt (the zero-shot verifier prompt), greedy, same token
 * budget. Repetitions alternate (app, direct, app, direct, …) so drift hits
 * both; the figure is the median of the per-pair ratios of wall time per
 * generated token.
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
import { TYPICAL_TEXT } from './typical-text';
import { sampledRow, type BenchContext, type BenchRow, type Measurement } from './types';

export const FIXTURE_VERIFIER = 'fixture/tiny-verifier';
const MAX_TOKENS = 128;

export interface OverheadSample {
  appMsPerToken: number;
  directMsPerToken: number;
}

/** Engines a real model runs at (ms per generated token) onto which the added time is projected. */
export const PROJECTED_MS_PER_TOKEN = [10, 20, 50] as const;

/**
 * Rows shared by the Node and the Chromium variants. The fixture decodes in
 * about 1 ms a token, so a ratio over it magnifies any fixed cost and swings
 * with machine noise; the figure that transfers is the added time per token
 * (per-pair difference, with its interval), projected onto real engines.
 */
export function overheadRows(prefix: string, samples: readonly OverheadSample[], note: string): BenchRow[] {
  const ratios = samples.map((s) => s.appMsPerToken / s.directMsPerToken);
  const added = samples.map((s) => s.appMsPerToken - s.directMsPerToken);
  return [
    sampledRow(`${prefix}.ratio`, ratios, 'ratio', { op: '<=', limit: 1.05 }, `${note}; per-pair ratio over the ~1 ms/token fixture`),
    sampledRow(`${prefix}.added`, added, 'ms/token', null, 'per-pair extra wall time per token through the app (messages, streaming, parse)', { digits: 4 }),
    ...PROJECTED_MS_PER_TOKEN.map((ms) =>
      sampledRow(
        `${prefix}.projected-${ms}ms`,
        added.map((a) => 1 + a / ms),
        'ratio',
        { op: '<=', limit: 1.05 },
        `the added time over an engine decoding at ${ms} ms/token (${Math.round(1000 / ms)} tokens/s): 1 + added/${ms}`,
        { digits: 4 },
      ),
    ),
    sampledRow(`${prefix}.app`, samples.map((s) => s.appMsPerToken), 'ms/token', null, 'check() through the engine worker'),
    sampledRow(`${prefix}.direct`, samples.map((s) => s.directMsPerToken), 'ms/token', null, 'transformers.js generate() directly'),
  ];
}

export const engineOverheadNodeMeasurement: Measurement = {
  name: 'engine-overhead-node',
  browser: false,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const reps = ctx.quick ? 2 : 21;
    const modelsDir = await ensureFixtureModels(join(ctx.root, 'tests', '.cache', 'models'));
    const mirror = await startMirrorServer({ root: modelsDir });
    const cacheDir = await mkdtemp(join(tmpdir(), 'medfact-bench-tfjs-'));
    const worker = { current: null as ReturnType<typeof startNodeWorker> | null };
    const client = createEngineClient({
      createWorker: () => (worker.current = startNodeWorker(new URL('./workers/engine-node-worker.ts', import.meta.url), { cacheDir })),
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

      // The raw library, same files, same process.
      const tf = await import('@huggingface/transformers');
      tf.env.allowRemoteModels = false;
      tf.env.allowLocalModels = true;
      tf.env.localModelPath = `${modelsDir}/`;
      const tokenizer = await tf.AutoTokenizer.from_pretrained(FIXTURE_VERIFIER);
      const model = await tf.AutoModelForCausalLM.from_pretrained(FIXTURE_VERIFIER, { device: 'cpu', dtype: 'fp32' });

      const messages = buildVerifierPrompt(TYPICAL_TEXT, 'zero-shot').messages;
      const runApp = async (): Promise<number> => {
        const t0 = performance.now();
        const result = await check(TYPICAL_TEXT, { verifier: client, verifierId: FIXTURE_VERIFIER, options: { variant: 'zero-shot', maxTokens: MAX_TOKENS } });
        const ms = performance.now() - t0;
        if (result.tokens.completion === 0) throw new Error('the app generated no tokens');
        return ms / result.tokens.completion;
      };
      const runDirect = async (): Promise<number> => {
        const t0 = performance.now();
        const inputs = tokenizer.apply_chat_template(messages, { add_generation_prompt: true, enable_thinking: false, return_dict: true } as never) as unknown as {
          input_ids: { dims: number[] };
        };
        const promptTokens = inputs.input_ids.dims[inputs.input_ids.dims.length - 1] ?? 0;
        const out = (await model.generate({ ...(inputs as object), max_new_tokens: MAX_TOKENS, do_sample: false })) as { dims: number[] };
        const ms = performance.now() - t0;
        const generated = (out.dims[out.dims.length - 1] ?? 0) - promptTokens;
        if (generated <= 0) throw new Error('transformers.js generated no tokens');
        return ms / generated;
      };

      await runApp(); // warm-up both paths
      await runDirect();
      const samples: OverheadSample[] = [];
      for (let i = 0; i < reps; i++) {
        // ABAB, starting side alternates too
        if (i % 2 === 0) samples.push({ appMsPerToken: await runApp(), directMsPerToken: await runDirect() });
        else {
          const directMsPerToken = await runDirect();
          samples.push({ appMsPerToken: await runApp(), directMsPerToken });
        }
      }
      await model.dispose();
      ctx.log(`engine-overhead-node: ${reps} pairs`);
      return overheadRows('engine-overhead.node', samples, `${reps} ABAB pairs, ${FIXTURE_VERIFIER} fp32 on CPU, zero-shot prompt, greedy`);
    } finally {
      client.dispose();
      await worker.current?.exited;
      await mirror.close();
      await rm(cacheDir, { recursive: true, force: true });
    }
  },
};
