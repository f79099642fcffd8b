/**
 * Issue 15, items 1 and 6: what prompt-prefix KV reuse saves.
 *  - prefill tokens per benchmark item (the demo set, one check() per item as
 *    the runner does it) with and without reuse, for each prompt variant,
 *    counted by the engine itself on fixture/tiny-context (real Qwen3
 *    tokenizer and chat template; its output depends on every cached token,
 *    so "identical outputs" is a real check, not a fixed answer);
 *  - time per item with and without reuse on fixture/tiny-context-heavy,
 *    whose per-token work makes prefill cost grow with the prompt;
 *  - the projected time of a full MedFact pass (2,116 items) for a 4B q4
 *    model on a 256 GB/s laptop GPU, from the measured token counts and the
 *    throughput model in LAPTOP_4B_Q4 (assumptions written beside it).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, type CheckResult } from '../src/core/check';
import { DEMO_SET } from '../src/core/dataset/demo-set';
import { PROMPT_VARIANTS, type PromptVariant } from '../src/core/prompts';
import type { ModelEngine, ModelSpec } from '../src/protocol/engine';
import { ensureFixtureModels } from '../tests/fixtures/ensure-models';
import { startMirrorServer } from '../tests/fixtures/mirror-server';
import { createTransformersEngine } from '../workers/transformers-engine';
import { loadQwen3Counter } from './token-economy';
import { infoRow, perRound, sampledRow, targetRow, type BenchContext, type BenchRow, type Measurement } from './types';
import { pinOrtToOneThread } from './ort-threads';

export const MEDFACT_ITEMS = 2116;
const MAX_TOKENS = 16;

/**
 * Throughput model of a 4B-parameter q4 model on a laptop GPU with 256 GB/s
 * memory bandwidth (RTX 4060/4070 Laptop or M-series Pro class), WebGPU.
 */
export const LAPTOP_4B_Q4 = {
  bandwidthGBs: 256,
  /** q4 weights of a 4B model incl. group scales and the fp16 embedding/head that decoding reads per token. */
  weightGB: 2.5,
  /** Fraction of peak bandwidth a WebGPU decode kernel sustains. */
  bandwidthEfficiency: 0.6,
  /** fp16 dense throughput of such a GPU, TFLOP/s. */
  peakTflops: 16,
  /** Fraction of it prefill sustains under WebGPU (no tensor-core paths exposed). */
  computeEfficiency: 0.25,
  /** FLOPs per prompt token ≈ 2 × parameters (attention over ≤1k tokens is small beside it). */
  gflopsPerToken: 8,
  /** Answer tokens per item: answer-v1 JSON of the item's gold annotation with a 20-character `why` (measured below). */
} as const;

export function decodeTokensPerSec(m = LAPTOP_4B_Q4): number {
  return (m.bandwidthGBs * m.bandwidthEfficiency) / m.weightGB;
}
export function prefillTokensPerSec(m = LAPTOP_4B_Q4): number {
  return (m.peakTflops * 1000 * m.computeEfficiency) / m.gflopsPerToken;
}

function spec(id: string, hubHost: string): ModelSpec {
  return { id, engine: 'transformers', task: 'text-generation', device: 'cpu', dtype: 'fp32', source: { hubHost, mirrorOnly: true }, skipWarmup: true };
}

interface Pass {
  results: CheckResult[];
  msPerItem: number[];
  /** CPU ms per item (process.cpuUsage: every thread of this process, onnxruntime's included). */
  cpuMsPerItem: number[];
}

async function passOver(engine: ModelEngine, id: string, variant: PromptVariant, items = DEMO_SET): Promise<Pass> {
  const results: CheckResult[] = [];
  const msPerItem: number[] = [];
  const cpuMsPerItem: number[] = [];
  for (const item of items) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    results.push(await check(item.text, { verifier: engine, verifierId: id, options: { variant, maxTokens: MAX_TOKENS } }));
    msPerItem.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMsPerItem.push((c.user + c.system) / 1000);
  }
  return { results, msPerItem, cpuMsPerItem };
}

const mean = (v: readonly number[]): number => v.reduce((s, x) => s + x, 0) / Math.max(1, v.length);
const prefillOf = (r: CheckResult): number => r.tokens.prefill ?? r.tokens.prompt;
const rawOf = (p: Pass): string => JSON.stringify(p.results.map((r) => r.samples.map((s) => s.raw)));

export const prefixReuseMeasurement: Measurement = {
  name: 'prefix-reuse',
  browser: false,
  repeat: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    pinOrtToOneThread(); // CPU time per item without onnxruntime's spin-waits (perf/ort-threads.ts); the suite's process is pinned anyway once engine-overhead-node ran
    const modelsDir = await ensureFixtureModels(join(ctx.root, 'tests', '.cache', 'models'));
    const mirror = await startMirrorServer({ root: modelsDir });
    const cacheDir = await mkdtemp(join(tmpdir(), 'medfact-bench-prefix-'));
    const rows: BenchRow[] = [];
    const engines: ModelEngine[] = [];
    const engine = async (id: string, prefixReuse: boolean): Promise<ModelEngine> => {
      const e = createTransformersEngine({ cacheDir, prefixReuse });
      engines.push(e);
      await e.load(spec(id, mirror.url));
      return e;
    };
    try {
      // 1. Prefill tokens per item, per variant. Reuse off keeps no state, so one engine serves every variant; reuse on
      //    gets a fresh engine per variant (its first items pay the prefix), except in the quick variant.
      const CONTEXT = 'fixture/tiny-context';
      const zeroShot = { off: 0, on: 0 };
      const demo = ctx.quick ? DEMO_SET.slice(0, 4) : DEMO_SET;
      let plain: ModelEngine | undefined;
      let reusing: ModelEngine | undefined;
      // Token counts are exact and the same every round: round 1 only (parts 1 and 3); the timing (part 2) repeats.
      for (const variant of ctx.round === 1 ? PROMPT_VARIANTS : []) {
        plain ??= await engine(CONTEXT, false);
        if (!reusing || !ctx.quick) {
          await reusing?.unload();
          reusing = await engine(CONTEXT, true);
        }
        const off = await passOver(plain, CONTEXT, variant, demo);
        const on = await passOver(reusing, CONTEXT, variant, demo);
        const identical = rawOf(on) === rawOf(off);
        const a = mean(off.results.map(prefillOf));
        const b = mean(on.results.map(prefillOf));
        const cut = 1 - b / a;
        if (variant === 'zero-shot') Object.assign(zeroShot, { off: a, on: b });
        rows.push(infoRow(`prefix.prefill-tokens.${variant}.off`, Math.round(a * 10) / 10, 'tokens/item', `mean prompt tokens computed per demo item (${demo.length} items, Qwen3 tokenizer), no reuse`));
        rows.push(infoRow(`prefix.prefill-tokens.${variant}.on`, Math.round(b * 10) / 10, 'tokens/item', 'the same with prefix reuse; items 1–2 pay the shared prefix, included'));
        rows.push(
          targetRow(`prefix.prefill-cut.${variant}`, Math.round(cut * 1000) / 1000, 'fraction', { op: '>=', limit: variant === 'zero-shot' ? 0.6 : 0 }, `1 − on/off; answers identical: ${identical ? 'yes' : 'NO'}${ctx.quick ? '; quick: 4 items, two of which pay the prefix, so the cut is lower' : ''}`),
        );
        rows.push(targetRow(`prefix.identical.${variant}`, identical ? 1 : 0, 'bool', { op: '>=', limit: 1 }, 'every raw answer the same token for token with and without reuse (greedy)'));
        ctx.log(`prefix-reuse: ${variant} ${a.toFixed(0)} → ${b.toFixed(0)} prefill tokens/item (identical: ${identical})`);
      }

      await Promise.all(engines.splice(0).map((e) => e.unload()));

      // 2. Time per item on the heavy fixture, reuse off/on alternating (zero-shot; the first two items pay the prefix and are left out).
      const HEAVY = 'fixture/tiny-context-heavy';
      const off = await engine(HEAVY, false);
      const on = await engine(HEAVY, true);
      const items = DEMO_SET.slice(0, ctx.quick ? 4 : 2 + perRound(ctx, 18, 6));
      await passOver(on, HEAVY, 'zero-shot', items.slice(0, 2)); // fills the prefix cache, warms both sessions
      await passOver(off, HEAVY, 'zero-shot', items.slice(0, 1));
      const ratios: number[] = [];
      const wallRatios: number[] = [];
      const offMs: number[] = [];
      const onMs: number[] = [];
      for (const [k, item] of items.slice(2).entries()) {
        // Alternate which side goes first, so drift within a pair hits both sides alike.
        const first = k % 2 === 0 ? off : on;
        const a1 = await passOver(first, HEAVY, 'zero-shot', [item]);
        const a2 = await passOver(first === off ? on : off, HEAVY, 'zero-shot', [item]);
        const [a, b] = first === off ? [a1, a2] : [a2, a1];
        const [x, y] = [a.cpuMsPerItem[0] ?? 0, b.cpuMsPerItem[0] ?? 0];
        offMs.push(x);
        onMs.push(y);
        ratios.push(y / x);
        wallRatios.push((b.msPerItem[0] ?? 0) / (a.msPerItem[0] ?? 1));
      }
      rows.push(sampledRow('prefix.item-ms.heavy.off', offMs, 'ms/item', null, 'CPU time of check() of one demo item, zero-shot, 16 answer tokens, fixture/tiny-context-heavy (per-token work 8 × 1024²), no reuse', { clock: 'cpu' }));
      rows.push(sampledRow('prefix.item-ms.heavy.on', onMs, 'ms/item', null, 'the same with prefix reuse (cache filled by two earlier items)', { clock: 'cpu' }));
      rows.push(sampledRow('prefix.item-ms.heavy.ratio', ratios, 'ratio', { op: '<', limit: 1 }, 'per-item on/off of CPU time, pairs alternate (which side goes first alternates too)', { clock: 'cpu' }));
      rows.push(sampledRow('prefix.item-ms.heavy.ratio.wall', wallRatios, 'ratio', null, 'the same pairs by wall time', { clock: 'wall' }));

      // 3. Projection for a full MedFact pass, 4B q4 on a 256 GB/s laptop GPU.
      if (ctx.round !== 1) return rows;
      const counter = await loadQwen3Counter();
      const why = '该处表述与公认医学知识不符，应予改正。'; // a 20-character reason
      const answers = DEMO_SET.map((item) =>
        counter.count(
          JSON.stringify(
            item.hasError
              ? { has_error: true, errors: item.gold.map((g) => ({ quote: g.text, type: item.errorType ?? 'conceptual', med: false, fix: item.correction ?? '', why })) }
              : { has_error: false, errors: [] },
          ),
        ) + 1, // + <|im_end|>
      );
      const answerTokens = mean(answers);
      const pre = prefillTokensPerSec();
      const dec = decodeTokensPerSec();
      const minutes = (prefill: number): number => (MEDFACT_ITEMS * (prefill / pre + answerTokens / dec)) / 60;
      const assumptions =
        `${MEDFACT_ITEMS} items × (prefill/${pre.toFixed(0)} tok/s + ${answerTokens.toFixed(0)} answer tokens/${dec.toFixed(0)} tok/s); ` +
        `decode = ${LAPTOP_4B_Q4.bandwidthGBs} GB/s × ${LAPTOP_4B_Q4.bandwidthEfficiency} / ${LAPTOP_4B_Q4.weightGB} GB weights; ` +
        `prefill = ${LAPTOP_4B_Q4.peakTflops} TFLOP/s × ${LAPTOP_4B_Q4.computeEfficiency} / ${LAPTOP_4B_Q4.gflopsPerToken} GFLOP/token; ` +
        'demo-set token counts stand in for MedFact items; one sample, no judge';
      rows.push(infoRow('prefix.projection.answer-tokens', Math.round(answerTokens * 10) / 10, 'tokens/item', 'answer-v1 of the gold annotation with a 20-character why, + EOS (Qwen3 tokenizer)'));
      rows.push(infoRow('prefix.projection.medfact-4b-q4.off', Math.round(minutes(zeroShot.off) * 10) / 10, 'min', `zero-shot, no reuse: ${assumptions}`));
      rows.push(infoRow('prefix.projection.medfact-4b-q4.on', Math.round(minutes(zeroShot.on) * 10) / 10, 'min', 'zero-shot, prefix reuse, same assumptions'));
      return rows;
    } finally {
      await Promise.all(engines.map((e) => e.unload().catch(() => undefined)));
      await mirror.close();
      await rm(cacheDir, { recursive: true, force: true });
    }
  },
};
