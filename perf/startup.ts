/**
 * Item 5: start-up.
 * (a) The gzipped JavaScript needed for the first paint, from a fresh
 *     production build (into perf/out/app): the entry scripts and
 *     modulepreloads of index.html plus their static imports, transitively
 *     (dynamic import() chunks and workers load later and are not counted).
 *     None of it may contain web-llm, transformers.js or onnxruntime code.
 * (b) Offline start in headless Chromium: load once online so the service
 *     worker installs and takes control, go offline, open the app in a new
 *     page, and time navigation start → the check input visible and enabled
 *     (the app shell's <main> when the check screen is not wired in).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, normalize, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchBrowser } from '../tests/browser/launch';
import { startAppServer } from '../tests/browser/static-server';
import { viteBuild } from './browser';
import { median, round } from './stats';
import { sampledRow, targetRow, type BenchContext, type BenchRow, type Measurement } from './types';

/** Code that must never be in the first paint (each string is distinctive of its library's bundle). */
export const HEAVY_MARKERS: readonly { library: string; pattern: RegExp }[] = [
  { library: 'onnxruntime-web', pattern: /InferenceSession|ort-wasm-simd|onnxruntime/ },
  { library: 'transformers.js', pattern: /from_pretrained|AutoModelForCausalLM|PreTrainedTokenizer/ },
  { library: 'web-llm', pattern: /MLCEngine|mlc-chat-config|tvmjs/ },
];

export interface FirstPaintChunk {
  file: string;
  bytes: number;
  gzipBytes: number;
  heavy: string[];
}

const STATIC_IMPORT = /(?:^|[;}\s])(?:import|export)\s*(?:[\w*${}\s,]+from\s*)?["']([^"']+\.js)["']/g;

/** The first-paint JS of a built index.html (paths relative to `dist`). */
export async function firstPaintChunks(dist: string): Promise<FirstPaintChunk[]> {
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const roots = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) if (m[1]) roots.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) if (m[1]) roots.add(m[1]);
  const seen = new Map<string, FirstPaintChunk>();
  const queue = [...roots].map((r) => normalize(join(dist, r.replace(/^\.?\//, ''))));
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    const code = await readFile(file);
    const text = code.toString('utf8');
    seen.set(file, {
      file: relative(dist, file),
      bytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
      heavy: HEAVY_MARKERS.filter((h) => h.pattern.test(text)).map((h) => h.library),
    });
    for (const m of text.matchAll(STATIC_IMPORT)) {
      const spec = m[1];
      if (spec && (spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/'))) {
        queue.push(spec.startsWith('/') ? join(dist, spec) : normalize(join(dirname(file), spec)));
      }
    }
  }
  return [...seen.values()];
}

/** Installed in every page: records when the checker (or the shell's main) becomes usable. */
const READY_PROBE = `(() => {
  const w = window;
  w.__benchReady = { input: null, main: null, fcp: null };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.name === 'first-contentful-paint') w.__benchReady.fcp = e.startTime; }).observe({ type: 'paint', buffered: true });
  const test = () => {
    const input = document.querySelector('[data-testid=check-input]');
    if (w.__benchReady.input === null && input && !input.disabled && input.getClientRects().length > 0) w.__benchReady.input = performance.now();
    const main = document.querySelector('main');
    if (w.__benchReady.main === null && main && main.getClientRects().length > 0 && main.textContent.trim().length > 0) w.__benchReady.main = performance.now();
  };
  new MutationObserver(test).observe(document, { subtree: true, childList: true, attributes: true });
})();`;

export const startupMeasurement: Measurement = {
  name: 'startup',
  browser: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const dist = join(ctx.root, 'perf', 'out', 'app');
    ctx.log('startup: building the app into perf/out/app…');
    await viteBuild(ctx.root, dist);
    const chunks = await firstPaintChunks(dist);
    const gzip = chunks.reduce((n, c) => n + c.gzipBytes, 0);
    const heavy = chunks.filter((c) => c.heavy.length > 0);
    const rows: BenchRow[] = [
      targetRow('startup.first-paint-js-gzip', round(gzip / 1000, 1), 'kB', { op: '<', limit: 250 }, `${chunks.length} chunks: ${chunks.map((c) => c.file).join(', ')}`),
      targetRow(
        'startup.heavy-libs-in-first-paint',
        heavy.length,
        'chunks',
        { op: '<=', limit: 0 },
        heavy.length ? heavy.map((c) => `${c.file}: ${c.heavy.join('+')}`).join('; ') : 'no web-llm / transformers.js / onnxruntime code before first paint',
      ),
    ];

    const server = await startAppServer({ dist });
    const browser = await launchBrowser();
    try {
      const { context } = browser;
      await context.addInitScript({ content: READY_PROBE });
      const first = await context.newPage();
      await first.goto(server.url);
      // Installed and controlling: the first install claims the page (clientsClaim).
      await first.waitForFunction(() => navigator.serviceWorker?.controller != null, undefined, { timeout: 60_000 });
      await first.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
      await first.close();
      await context.setOffline(true);
      const reps = ctx.quick ? 1 : 9;
      const usable: number[] = [];
      const fcp: number[] = [];
      let target: 'input' | 'main' = 'input';
      for (let i = 0; i < reps; i++) {
        const page = await context.newPage();
        await page.goto(server.url);
        let ready: number | null = null;
        if (target === 'input') {
          ready = await page
            .waitForFunction(() => (window as unknown as { __benchReady: { input: number | null } }).__benchReady.input, undefined, { timeout: 15_000 })
            .then((h) => h.jsonValue() as Promise<number>)
            .catch(() => null);
          if (ready === null) target = 'main';
        }
        if (ready === null) {
          ready = (await page
            .waitForFunction(() => (window as unknown as { __benchReady: { main: number | null } }).__benchReady.main, undefined, { timeout: 30_000 })
            .then((h) => h.jsonValue())) as number;
        }
        usable.push(ready);
        const paint = await page.evaluate(() => (window as unknown as { __benchReady: { fcp: number | null } }).__benchReady.fcp);
        if (paint !== null) fcp.push(paint);
        await page.close();
      }
      const what = target === 'input' ? 'check input visible and enabled' : 'app shell <main> rendered (the check input never appeared: checker screen not wired)';
      rows.push(sampledRow('startup.offline-first-contentful-paint', fcp, 'ms', null, `offline, from the service worker, ${reps} loads`, { digits: 0, clock: 'wall' }));
      rows.push(sampledRow('startup.offline-checker-usable', usable, 'ms', null, `navigation start → ${what}; offline, from the service worker, ${reps} loads`, { digits: 0, clock: 'wall' }));
      ctx.log(`startup: ${round(gzip / 1000, 1)} kB gzip first-paint JS; usable offline after ${round(median(usable), 0)} ms (${target})`);
      return rows;
    } finally {
      await browser.close();
      await server.close();
    }
  },
};
