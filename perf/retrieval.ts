/**
 * The reference library's retrieval (issue 11): index build time and heap
 * at 10k and 100k passages, query latency p50/p95, the whole
 * `medfact retrieve` command for 1,000 queries over 7,000 passages (target
 * < 20 s), and quality (recall@1/5/10, MRR@10) on the project-written
 * Chinese corpus and queries in tests/fixtures/evidence, next to plain
 * character-bigram BM25 (the floor the ranking must reach) and, for speed,
 * next to the same index built on MiniSearch (why the app has its own) and
 * to the index before its typed-array segments (perf/legacy-lexical-index.ts,
 * at 10k passages: it took 5–16 minutes at 100k). The 100k rows are their
 * own measurement, `retrieval-100k`, so `--only retrieval` stays minutes.
 * Synthetic passages draw Zipf-distributed "words" of common Han characters,
 * so posting lists are long-tailed as in real text.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { LexicalIndex, passageSearchText, type PersistedSegment } from '../src/core/evidence';
import { BigramBm25 } from './bigram-bm25';
import { LegacyLexicalIndex } from './legacy-lexical-index';
import { MiniSearchIndex } from './minisearch-index';
import { evaluateRanking, type LabelledQuery } from './retrieval-eval';
import { quantile, round } from './stats';
import { seededRandom } from './synthetic';
import { infoRow, perRound, sampledRow, targetRow, type BenchContext, type BenchRow, type Measurement } from './types';

const run = promisify(execFile);

/** Zipf-distributed pseudo-Chinese text: 2–4 character words over 3,000 common Han characters. */
export function makeCorpusGenerator(seed: number): (length: number) => string {
  const rng = seededRandom(seed);
  const words: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const len = 2 + Math.floor(rng() * 3);
    let w = '';
    for (let j = 0; j < len; j++) w += String.fromCodePoint(0x4e00 + Math.floor(rng() ** 2 * 3000));
    words.push(w);
  }
  // Cumulative Zipf weights (s = 1).
  const cdf: number[] = [];
  let total = 0;
  for (let r = 1; r <= words.length; r++) cdf.push((total += 1 / r));
  const pick = (): string => {
    const x = rng() * total;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return words[lo] as string;
  };
  return (length: number) => {
    let s = '';
    while (s.length < length) s += rng() < 0.08 ? '，' : rng() < 0.05 ? '。' : pick();
    return `${s}。`;
  };
}

/** A real collection before each reading (the flag is set here, so `npm run bench` needs no node option). */
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

/**
 * JS heap plus ArrayBuffer memory (typed-array postings live outside the JS
 * heap), after the collector has finished. The backing stores of dead typed
 * arrays are freed by V8's concurrent sweeper after the collection returns,
 * so reading at once counted whatever segment merges had just dropped (the
 * 100k figure read 239 MB in one run and 132 in the next); the reading waits
 * until two consecutive collections give the same figure.
 */
async function memoryMB(): Promise<number> {
  const read = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  let last = Number.NaN;
  for (let i = 0; i < 10; i++) {
    collect();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const now = read();
    const settled = Math.abs(now - last) < 64 * 1024;
    last = now;
    if (settled) break;
  }
  return last / 1024 / 1024;
}

/**
 * Memory an index holds: the difference when it is let go (measuring growth
 * from before the build instead was off by the start-up garbage a GC frees).
 * Only `holder` may reference it: every use reads it from the holder in a
 * function that has returned (a frame's temporaries, call arguments
 * included, keep what they last held alive).
 */
async function retainedMB(holder: { index: unknown }): Promise<number> {
  const held = await memoryMB();
  holder.index = null;
  return held - (await memoryMB());
}

function timedBuild<T extends { add(p: readonly { id: string; text: string }[]): void }>(make: () => T, passages: readonly { id: string; text: string }[]): { index: T | null; ms: number } {
  const t0 = performance.now();
  const index = make();
  index.add(passages);
  return { index, ms: performance.now() - t0 };
}

/** Query latencies, the stored form and its load, and what the next import writes. */
function useIndex(box: { index: LexicalIndex | null }, qs: readonly string[], gen: (n: number) => string): { times: number[]; storedBytes: number; saveMs: number; loadMs: number; importBytes: number } {
  const index = box.index as LexicalIndex;
  const times: number[] = [];
  for (const q of qs) {
    const t = performance.now();
    index.search(q, 10);
    times.push(performance.now() - t);
  }
  // What IndexedDB stores: the changes, by structured clone (v8.serialize is Node's structured clone).
  const t1 = performance.now();
  const stored = v8.serialize(index.takeChanges());
  const saveMs = performance.now() - t1;
  const t2 = performance.now();
  const { manifest, put } = v8.deserialize(stored) as { manifest: unknown; put: PersistedSegment[] };
  LexicalIndex.fromStored(manifest, put);
  const loadMs = performance.now() - t2;
  // The next import: one document of 60 passages; only its segment and the manifest are written.
  index.add(Array.from({ length: 60 }, (_, i) => ({ id: `doc:${i}`, text: gen(150 + i) })));
  return { times, storedBytes: stored.length, saveMs, loadMs, importBytes: v8.serialize(index.takeChanges()).length };
}

/**
 * Build, use and let go of the index at one size. `heapRepeats` > 1 builds it
 * that many times and reports the held memory with a spread: a GC reading
 * varies by a megabyte or so between identical builds (15 vs 16 MB at 10k in
 * two consecutive runs), which a single figure cannot show.
 */
async function scaleRows(size: number, label: string, queries: number, ctx: BenchContext, heapRepeats = 1): Promise<BenchRow[]> {
  const gen = makeCorpusGenerator(size);
  const passages = Array.from({ length: size }, (_, i) => ({ id: `p${i}`, text: gen(150 + (i % 250)) }));
  const rng = seededRandom(size + 1); // seeded: the same queries every run
  const qs = Array.from({ length: queries }, () => gen(20 + Math.floor(rng() * 60)));
  const built = timedBuild(() => new LexicalIndex(), passages);
  ctx.log(`retrieval: ${label} built in ${round(built.ms / 1000, 2)} s`);
  const { times, storedBytes, saveMs, loadMs, importBytes } = useIndex(built, qs, gen);
  const heaps = [await retainedMB(built)];
  for (let k = 1; k < heapRepeats; k++) {
    const again = timedBuild(() => new LexicalIndex(), passages);
    useIndex(again, qs, gen);
    heaps.push(await retainedMB(again));
  }
  const heapNote = 'JS heap + array buffers the built index holds (freed when it is let go, after GC)';
  const rows: BenchRow[] = [
    { ...infoRow(`retrieval.build.${label}`, round(built.ms / 1000, 2), 's', `${size} synthetic passages of 150–400 characters, tokenizer + index`), clock: 'wall' as const },
    heaps.length > 1
      ? sampledRow(`retrieval.heap.${label}`, heaps, 'MB', null, `${heapNote}; ${heaps.length} builds`, { digits: 0 })
      : infoRow(`retrieval.heap.${label}`, round(heaps[0] as number, 0), 'MB', heapNote),
    infoRow(`retrieval.index-stored.${label}`, round(storedBytes / 1024 / 1024, 1), 'MB', `structured clone of the segments; write ${round(saveMs)} ms, read + load ${round(loadMs)} ms`),
    infoRow(`retrieval.import-write.${label}`, round(importBytes / 1024, 0), 'KB', 'written by the next import (a 60-passage document): its segment and the manifest'),
    { ...infoRow(`retrieval.query.p50.${label}`, round(quantile(times, 0.5)), 'ms', `${queries} queries of 20–80 characters, top 10`), clock: 'wall' as const },
    { ...infoRow(`retrieval.query.p95.${label}`, round(quantile(times, 0.95)), 'ms'), clock: 'wall' as const },
  ];
  if (size <= 10_000) {
    // The number-array index with JSON persistence that this layout replaced, on the same passages.
    const legacy = timedBuild(() => new LegacyLexicalIndex(), passages);
    const json = legacyJsonBytes(legacy);
    const legacyHeap = await retainedMB(legacy);
    rows.push(
      { ...infoRow(`retrieval.build-before.${label}`, round(legacy.ms / 1000, 2), 's', 'the previous index (number arrays), same passages'), clock: 'wall' as const },
      infoRow(`retrieval.heap-before.${label}`, round(legacyHeap, 0), 'MB'),
      infoRow(`retrieval.index-json-before.${label}`, round(json / 1024 / 1024, 1), 'MB', 'the previous index persisted as JSON, rewritten whole by every import'),
    );
  }
  return rows;
}

const legacyJsonBytes = (box: { index: LegacyLexicalIndex | null }): number => box.index?.serialize().length ?? 0;

function readJsonl<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/** The 100k-passage rows (issue 11), a measurement of their own so that `--only retrieval` stays short; part of a default run (the segment index builds 100k passages in about a minute). */
export const retrieval100kMeasurement: Measurement = {
  name: 'retrieval-100k',
  browser: false,
  run: (ctx) => (ctx.quick ? scaleRows(2000, '2k', 50, ctx) : scaleRows(100_000, '100k', 500, ctx)),
};

export const retrievalMeasurement: Measurement = {
  name: 'retrieval',
  browser: false,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const fixtures = join(ctx.root, 'tests', 'fixtures', 'evidence');
    const corpus = readJsonl<{ id: string; title: string; text: string }>(await readFile(join(fixtures, 'corpus.jsonl'), 'utf8')).map((p) => ({
      id: p.id,
      text: passageSearchText(p.title, p.text),
    }));
    const queries = readJsonl<LabelledQuery>(await readFile(join(fixtures, 'queries.jsonl'), 'utf8'));
    const ours = new LexicalIndex();
    ours.add(corpus);
    const base = new BigramBm25();
    base.add(corpus);
    const q = evaluateRanking(queries, (t, k) => ours.search(t, k));
    const b = evaluateRanking(queries, (t, k) => base.search(t, k));
    const note = `${queries.length} project-written queries over ${corpus.length} passages; plain bigram BM25 ${round(b.recallAt1)} / ${round(b.recallAt5)} / ${round(b.recallAt10)} / ${round(b.mrrAt10)}`;
    rows.push(targetRow('retrieval.recall@10', round(q.recallAt10), 'share', { op: '>=', limit: round(b.recallAt10) }, `${note} (target: plain bigram BM25's recall@10)`));
    rows.push(infoRow('retrieval.recall@1', round(q.recallAt1), 'share'));
    rows.push(infoRow('retrieval.recall@5', round(q.recallAt5), 'share'));
    rows.push(infoRow('retrieval.mrr@10', round(q.mrrAt10), 'share', note));

    rows.push(...(await (ctx.quick ? scaleRows(1000, '1k', 50, ctx) : scaleRows(10_000, '10k', 500, ctx, 3))));

    // Why not MiniSearch: the same tokenizer and BM25 sum on MiniSearch, a few queries only.
    const msSize = ctx.quick ? 300 : 7000;
    const msQueries = ctx.quick ? 5 : 40;
    const gen2 = makeCorpusGenerator(9);
    const passages = Array.from({ length: msSize }, (_, i) => ({ id: `p${i}`, text: gen2(150 + (i % 250)) }));
    const qs = Array.from({ length: msQueries }, (_, i) => gen2(20 + (i % 60)));
    const mini = new MiniSearchIndex();
    mini.add(passages);
    const own = new LexicalIndex();
    own.add(passages);
    // Per query, both indexes one after the other (CPU time): one ratio per query, so drift hits both alike.
    const cpuMs = (f: () => unknown): number => {
      const c0 = process.cpuUsage();
      f();
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / 1000;
    };
    const tMini: number[] = [];
    const tOwn: number[] = [];
    for (const qq of qs) {
      tMini.push(cpuMs(() => mini.search(qq, 10)));
      tOwn.push(cpuMs(() => own.search(qq, 10)));
    }
    rows.push(
      sampledRow(
        'retrieval.minisearch-ratio',
        tMini.map((m, i) => m / Math.max(tOwn[i] ?? 0, 1e-3)),
        'ratio',
        null,
        `MiniSearch ${round(quantile(tMini, 0.5))} ms vs own index ${round(quantile(tOwn, 0.5))} ms per query (median CPU time, ${msSize} passages, ${msQueries} queries, one ratio per query)`,
        { digits: 1, clock: 'cpu' },
      ),
    );
    return rows;
  },
};

/**
 * `medfact retrieve` as a user runs it: 1,000 queries over 7,000 passages,
 * the whole command (issue 11's acceptance shape). A measurement of its own
 * because it repeats in every round of the suite (perf/rounds.ts) while the
 * index-scale rows of `retrieval` run once.
 */
export const retrievalCliMeasurement: Measurement = {
  name: 'retrieval-cli',
  browser: false,
  repeat: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    // The whole command as a user runs it: 1,000 queries over 7,000 passages.
    const nPassages = ctx.quick ? 300 : 7000;
    const nQueries = ctx.quick ? 50 : 1000;
    const gen = makeCorpusGenerator(7);
    const dir = await mkdtemp(join(tmpdir(), 'medfact-bench-retrieve-'));
    try {
      const lib = join(dir, 'passages.jsonl');
      const qf = join(dir, 'queries.jsonl');
      await writeFile(lib, Array.from({ length: nPassages }, (_, i) => JSON.stringify({ id: `p${i}`, title: '', text: gen(150 + (i % 250)) })).join('\n'), 'utf8');
      await writeFile(qf, Array.from({ length: nQueries }, (_, i) => JSON.stringify({ id: `q${i}`, text: gen(20 + (i % 60)) })).join('\n'), 'utf8');
      const cli = join(ctx.root, 'src', 'cli', 'medfact.ts');
      const cpuProbe = join(ctx.root, 'perf', 'workers', 'cpu-at-exit.mjs');
      const cpuS: number[] = [];
      const wallS: number[] = [];
      for (let r = 0; r < (ctx.quick ? 1 : perRound(ctx, 6, 2)); r++) {
        const t0 = performance.now();
        const { stdout, stderr } = await run(process.execPath, ['--import', cpuProbe, '--import', 'tsx', cli, 'retrieve', '--library', lib, '--queries', qf, '--json'], { cwd: ctx.root, maxBuffer: 256 * 1024 * 1024 });
        wallS.push((performance.now() - t0) / 1000);
        const cpu = /MEDFACT_BENCH_CPU_US=(\d+)/.exec(stderr)?.[1];
        if (!cpu) throw new Error('medfact retrieve did not report its CPU time (perf/workers/cpu-at-exit.mjs)');
        cpuS.push(Number(cpu) / 1e6);
        const answered = (JSON.parse(stdout) as { results: unknown[] }).results.length;
        if (answered !== nQueries) throw new Error(`medfact retrieve answered ${answered} of ${nQueries} queries`);
      }
      const what = `medfact retrieve, ${nQueries} queries over ${nPassages} passages, whole command, ${cpuS.length} runs`;
      rows.push(sampledRow('retrieval.cli', cpuS, 's', { op: '<', limit: 20 }, `${what}; CPU time (user + system, all threads): at most what a quiet machine takes`, { digits: 2, clock: 'cpu' }));
      rows.push(sampledRow('retrieval.cli.wall', wallS, 's', null, 'the same runs by wall clock', { digits: 2, clock: 'wall' }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
