/**
 * Item 3: parsing and span alignment. Per answer: parseVerifierAnswer on an
 * answer-v1 JSON with 10 findings, then alignFindings against a
 * 2,000-character text. Most quotes are verbatim; some differ the way model
 * quotes do (half-width punctuation, an inserted space, one wrong character)
 * so the normalised and fuzzy paths are timed too.
 */
import { alignFindings } from '../src/core/align';
import { parseVerifierAnswer } from '../src/core/parse';
import type { WireAnswer } from '../src/core/answer';
import { ERROR_TYPES } from '../src/core/labels';
import { median, quantile, round } from './stats';
import { makeText, pickFragments, seededRandom } from './synthetic';
import { perRound, sampledRow, type BenchContext, type BenchRow, type Measurement } from './types';

export interface ParseAlignCase {
  text: string;
  answer: string;
}

function perturb(quote: string, kind: number): string {
  if (kind === 7) return quote.replace(/，/g, ',').replace(/。/g, '.') + (quote.includes('，') ? '' : ' ');
  if (kind === 8) return `${quote.slice(0, 1)} ${quote.slice(1)}`;
  if (kind === 9 && quote.length >= 4) return `${quote.slice(0, 2)}某${quote.slice(3)}`;
  return quote;
}

export function makeParseAlignCases(count: number, seed = 7, textLength = 2000, fragments = 10): ParseAlignCase[] {
  const rng = seededRandom(seed);
  const cases: ParseAlignCase[] = [];
  for (let i = 0; i < count; i++) {
    const text = makeText(rng, textLength);
    const errors = pickFragments(rng, text, fragments).map((f, k) => ({
      quote: perturb(text.slice(f.start, f.end), k),
      type: ERROR_TYPES[k % ERROR_TYPES.length] as (typeof ERROR_TYPES)[number],
      med: k % 3 === 0,
      fix: '正确的说法',
      why: '与公认医学知识不符。',
    }));
    const answer: WireAnswer = { has_error: true, errors };
    cases.push({ text, answer: JSON.stringify(answer) });
  }
  return cases;
}

/** Per answer: wall ms (`times`) and CPU ms of this process (`cpuTimes`, process.cpuUsage: not stretched by other processes). */
export function timeParseAlign(cases: readonly ParseAlignCase[]): { times: number[]; cpuTimes: number[]; located: number; total: number } {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let located = 0;
  let total = 0;
  for (const c of cases) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const parsed = parseVerifierAnswer(c.answer);
    const aligned = alignFindings(c.text, parsed.findings);
    times.push(performance.now() - t0);
    const cpu = process.cpuUsage(c0);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    located += aligned.located.reduce((n, f) => n + f.sources.length, 0);
    total += parsed.findings.length;
  }
  return { times, cpuTimes, located, total };
}

export const parseAlignMeasurement: Measurement = {
  name: 'parse-align',
  browser: false,
  repeat: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const count = ctx.quick ? 20 : 100 * perRound(ctx, 20, 7);
    const blocks = ctx.quick ? 2 : perRound(ctx, 20, 7);
    const cases = makeParseAlignCases(count);
    timeParseAlign(makeParseAlignCases(ctx.quick ? 5 : 100, 99)); // warm-up (JIT)
    // The same answers timed in blocks: one median and one p95 per block, so
    // the figures come with a spread across repeats.
    const per = Math.ceil(count / blocks);
    const medians: number[] = [];
    const p95s: number[] = [];
    const wallP95s: number[] = [];
    let located = 0;
    let total = 0;
    for (let b = 0; b < blocks; b++) {
      const r = timeParseAlign(cases.slice(b * per, (b + 1) * per));
      medians.push(median(r.cpuTimes));
      p95s.push(quantile(r.cpuTimes, 0.95));
      wallP95s.push(quantile(r.times, 0.95));
      located += r.located;
      total += r.total;
    }
    ctx.log(`parse-align: ${count} answers, ${located}/${total} quotes located`);
    const note = `${count} answers in ${blocks} blocks (one figure per block), 2,000-char texts, 10 quotes each (${round((100 * located) / Math.max(1, total), 1)}% located)`;
    return [
      sampledRow('parse-align.median', medians, 'ms', null, `${note}; CPU time per answer`, { clock: 'cpu' }),
      sampledRow('parse-align.p95', p95s, 'ms', { op: '<', limit: 2 }, `${note}; CPU time per answer`, { clock: 'cpu' }),
      sampledRow('parse-align.p95.wall', wallP95s, 'ms', null, 'the same answers by wall time (includes preemption by other processes)', { clock: 'wall' }),
    ];
  },
};
