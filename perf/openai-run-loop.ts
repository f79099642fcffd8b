/**
 * `medfact run`'s loop against an OpenAI-compatible server with a fixed
 * latency (the conformance server in its own process, answers memoised so
 * the server is never the bottleneck): efficiency = achieved items/s ÷ (concurrency ÷ latency)
 * at concurrency 1, 4 and 16 (target ≥ 0.9 at 16), and the overhead per
 * item = time per item at concurrency 1 minus the latency. The whole
 * command runs in-process (predictions log with fsync, check(), progress);
 * the rate is the item loop's own (run.json `loop`), without start-up.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoSetJsonl } from '../src/core/dataset/demo-set';
import { runCommand } from '../src/cli/run/run-command';
import { spawn, type ChildProcess } from 'node:child_process';
import { round } from './stats';
import { perRound, sampledRow, type BenchContext, type BenchRow, type Measurement } from './types';

const MODEL = 'fixture/tiny-verifier-small';
const sink = { write: () => true, isTTY: false };

/** n items: the demo texts repeated under new ids (the server answers repeats from memory). */
function syntheticJsonl(n: number): string {
  const demo = demoSetJsonl()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  let out = '';
  for (let i = 0; i < n; i++) out += `${JSON.stringify({ ...demo[i % demo.length], id: `bench-${i}` })}\n`;
  return out;
}

async function runOnce(dir: string, name: string, url: string, dataset: string, concurrency: number): Promise<{ items: number; ms: number }> {
  const out = join(dir, name);
  const code = await runCommand([dataset, '--base-url', url, '--model', MODEL, '--out', out, '--concurrency', String(concurrency), '--no-cache'], { stdout: sink, stderr: sink });
  if (code !== 0) throw new Error(`medfact run exited ${code} at concurrency ${concurrency}`);
  const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { loop: { items: number; ms: number } };
  return run.loop;
}

/** The fixture server as a child process (so its work does not run on the client's event loop). */
async function startServerProcess(root: string, latencyMs: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/openai-server.ts', '--port', '0', '--latency-ms', String(latencyMs), '--memoize'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString('utf8');
      const m = /at (http:\/\/\S+\/v1)/.exec(text);
      if (m?.[1]) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`the fixture server exited (${code})`)));
  });
  return { url, child };
}

export const openaiRunLoopMeasurement: Measurement = {
  name: 'openai-run-loop',
  browser: false,
  repeat: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const latencyMs = ctx.quick ? 50 : 200;
    const dir = await mkdtemp(join(tmpdir(), 'medfact-bench-run-'));
    const server = await startServerProcess(ctx.root, latencyMs);
    try {
      // Warm the server's memory with every distinct prompt (real inference, once).
      const warm = join(dir, 'warm.jsonl');
      await writeFile(warm, syntheticJsonl(40));
      await runOnce(dir, 'warm', server.url, warm, 8);

      // Rounds over the three concurrency levels (c1, c4, c16, c1, …) so load drift spreads over all of them;
      // each level's figures are repeated measurements with a spread. Wall clock on purpose: the loop waits on a
      // server's fixed latency, so the figure is about waiting well, not about CPU.
      const rounds = ctx.quick ? 1 : perRound(ctx, 3, 1);
      const levels = [1, 4, 16] as const;
      const efficiency = new Map<number, number[]>(levels.map((c) => [c, []]));
      const overhead: number[] = [];
      for (let round_ = 0; round_ < rounds; round_++) {
        for (const c of levels) {
          const n = ctx.quick ? c * 3 : Math.max(20, c * 20);
          const dataset = join(dir, `items-${c}.jsonl`);
          await writeFile(dataset, syntheticJsonl(n));
          const loop = await runOnce(dir, `c${c}-${round_}`, server.url, dataset, c);
          const achieved = loop.items / (loop.ms / 1000);
          const ideal = c / (latencyMs / 1000);
          efficiency.get(c)?.push(achieved / ideal);
          ctx.log(`openai-run-loop: concurrency ${c}: ${round(achieved, 2)} items/s of ideal ${round(ideal, 2)} (efficiency ${round(achieved / ideal, 3)})`);
          if (c === 1) overhead.push(loop.ms / loop.items - latencyMs);
        }
      }
      const rows: BenchRow[] = levels.map((c) => {
        const note = `${ctx.quick ? c * 3 : Math.max(20, c * 20)} items per run, ${rounds} runs, server latency ${latencyMs} ms, one request per item`;
        return sampledRow(`run-loop.efficiency.c${c}`, efficiency.get(c) ?? [], 'ratio', c === 16 ? { op: '>=', limit: 0.9 } : null, note, { clock: 'wall' });
      });
      rows.push(sampledRow('run-loop.overhead-per-item', overhead, 'ms', null, 'time per item at concurrency 1 minus the server latency: HTTP, SSE parsing, check(), fsync of the log line', { digits: 2, clock: 'wall' }));
      return rows;
    } finally {
      server.child.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    }
  },
};
