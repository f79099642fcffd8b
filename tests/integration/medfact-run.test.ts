/**
 * `medfact run` end to end: the real CLI in a child process against the
 * conformance server (real fixture inference through transformers.js), then
 * `medfact score` on its output. Kill -9 in mid-run and --resume: every item
 * exactly once and the same lines as an uninterrupted run; a torn last line
 * is dropped; injected faults are survived; failed items are recorded in
 * both files and retried by --resume; the cache never serves one model's
 * answers to another; the API key never reaches a file; a local ONNX folder
 * (--engine transformers) gives the same predictions as the server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureModels } from '../fixtures/ensure-models';
import { startOpenAIServer, type OpenAIServer } from '../fixtures/openai-server';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MODEL = 'fixture/tiny-verifier-small';
const OTHER = 'fixture/other-model';
const ITEMS = 40;

let server: OpenAIServer;
let work: string;
let dataset: string;
let root: string;

interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function startCli(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<CliResult> } {
  // node --import tsx (not the tsx wrapper), so the pid is the process that writes the files.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/medfact.ts', ...args], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const done = new Promise<CliResult>((r) => child.on('close', (code, signal) => r({ code, signal, stdout, stderr })));
  return { child, done };
}

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}

function runArgs(out: string, ...extra: string[]): string[] {
  return ['run', dataset, '--engine', 'openai', '--base-url', server.url, '--model', MODEL, '--out', out, ...extra];
}

async function lines(out: string): Promise<string[]> {
  const text = await readFile(join(out, 'predictions.jsonl'), 'utf8');
  return text.split('\n').filter((l) => l !== '');
}

function byId(ls: string[]): Map<string, string> {
  return new Map(ls.map((l) => [(JSON.parse(l) as { id: string }).id, l]));
}

async function runJson(out: string): Promise<Record<string, unknown> & { counts: Record<string, number>; failures: unknown[]; status: string }> {
  return JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as never;
}

let reference: Map<string, string>;

beforeAll(async () => {
  root = await ensureFixtureModels();
  // memoize: each distinct prompt is inferred once (real inference), repeats answer at once, so fault and timeout tests do not queue behind the CPU model.
  server = await startOpenAIServer({ root, memoize: true, models: { [MODEL]: MODEL, [OTHER]: 'fixture/tiny-verifier-small' } });
  work = await mkdtemp(join(tmpdir(), 'medfact-run-test-'));
  dataset = join(work, 'demo.jsonl');
  const demo = await cli(['demo', '--out', dataset]);
  expect(demo.code).toBe(0);
});

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('medfact run against an OpenAI-compatible server', () => {
  it('runs the whole demo set, writes predictions and provenance, and medfact score reads them', async () => {
    const out = join(work, 'full');
    const r = await cli(runArgs(out, '--concurrency', '4'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`complete: ${ITEMS}/${ITEMS} items done, 0 failed`);
    const ls = await lines(out);
    expect(ls).toHaveLength(ITEMS);
    reference = byId(ls);
    expect(reference.size).toBe(ITEMS);
    const prov = await runJson(out);
    expect(prov).toMatchObject({ status: 'complete', engine: 'openai', endpoint: { host: new URL(server.url).host }, model: { served: MODEL, maxModelLen: 8192 }, contextTokensSource: 'server max_model_len' });
    expect(prov.prompt).toMatchObject({ id: 'medfact-verifier/zero-shot' });
    expect(prov.counts).toMatchObject({ total: ITEMS, done: ITEMS, failed: 0, missing: 0 });
    expect(typeof (prov.dataset as { contentHash: string }).contentHash).toBe('string');
    // Not a TTY: plain progress lines.
    expect(r.stderr).toMatch(/progress 40\/40 \(100\.0%\)/);

    const score = await cli(['score', dataset, join(out, 'predictions.jsonl'), '--json']);
    expect(score.code, score.stderr).toBe(0);
    const metrics = JSON.parse(score.stdout) as { vc: { tp: number; fp: number; fn: number; tn: number } };
    expect(metrics.vc.tp + metrics.vc.fp + metrics.vc.fn + metrics.vc.tn).toBe(ITEMS);
  });

  it('kill -9 in mid-run, then --resume: every item exactly once, the same lines as the uninterrupted run', async () => {
    const out = join(work, 'killed');
    server.setLatency(120);
    try {
      const { child, done } = startCli(runArgs(out, '--concurrency', '2', '--no-cache'));
      // Wait for some results, then kill without warning.
      for (;;) {
        const n = await lines(out).then((l) => l.length, () => 0);
        if (n >= 6) break;
        await new Promise((r) => setTimeout(r, 30));
      }
      child.kill('SIGKILL');
      const killed = await done;
      expect(killed.signal).toBe('SIGKILL');
      const partial = await lines(out).catch(() => []);
      expect(partial.length).toBeLessThan(ITEMS);
    } finally {
      server.setLatency(0);
    }
    const before = server.requests.length;
    const r = await cli(runArgs(out, '--resume', '--concurrency', '4', '--no-cache'));
    expect(r.code, r.stderr).toBe(0);
    const ls = await lines(out);
    expect(ls).toHaveLength(ITEMS);
    expect(byId(ls)).toEqual(reference);
    // Only the missing items were asked for.
    expect(server.requests.length - before).toBeLessThan(ITEMS);
    const prov = await runJson(out);
    expect(prov.sessions).toHaveLength(2);
  });

  it('refuses a second writer on a folder whose run is still alive (no duplicates even if a wrapper was killed)', async () => {
    const out = join(work, 'two-writers');
    server.setLatency(150);
    try {
      const { child, done } = startCli(runArgs(out, '--concurrency', '1', '--no-cache'));
      for (;;) {
        const n = await lines(out).then((l) => l.length, () => 0);
        if (n >= 1) break;
        await new Promise((r) => setTimeout(r, 30));
      }
      const second = await cli(runArgs(out, '--resume', '--no-cache'));
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`Another medfact run (pid ${child.pid})`);
      child.kill('SIGKILL');
      await done;
    } finally {
      server.setLatency(0);
    }
    const r = await cli(runArgs(out, '--resume'));
    expect(r.code, r.stderr).toBe(0);
    expect(byId(await lines(out))).toEqual(reference);
  });

  it('drops a torn last line on --resume and reruns that item', async () => {
    const out = join(work, 'torn');
    const full = [...reference.values()];
    await (await import('node:fs/promises')).mkdir(out, { recursive: true });
    await writeFile(join(out, 'predictions.jsonl'), `${full.slice(0, 10).join('\n')}\n${(full[10] ?? '').slice(0, 25)}`);
    const r = await cli(runArgs(out, '--resume'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('torn last line');
    expect(byId(await lines(out))).toEqual(reference);
    expect(await lines(out)).toHaveLength(ITEMS);
  });

  it('refuses to overwrite results without --resume, and refuses a resume with other settings', async () => {
    const out = join(work, 'full');
    const again = await cli(runArgs(out));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--resume');
    const other = await cli(runArgs(out, '--resume', '--variant', 'reasoning'));
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('sampling');
    expect(await lines(out)).toHaveLength(ITEMS);
  });

  it('survives 429 (Retry-After), 500, dropped streams and hangs at concurrency 8', async () => {
    const out = join(work, 'faults');
    server.faultEvery(3, [{ kind: '429', retryAfter: '0' }, { kind: '500' }, { kind: 'drop' }, { kind: 'hang' }]);
    try {
      const r = await cli(runArgs(out, '--concurrency', '8', '--timeout-s', '3', '--no-cache'));
      expect(r.code, r.stderr).toBe(0);
      const prov = await runJson(out);
      expect(prov.counts.retries).toBeGreaterThan(5);
      expect(prov.counts.failed).toBe(0);
      expect(byId(await lines(out))).toEqual(reference);
    } finally {
      server.faultEvery(0, []);
    }
  });

  it('with the default (adaptive) timeout a hang costs seconds once the server is known, not the 120 s ceiling', async () => {
    const out = join(work, 'hangs');
    server.faultEvery(20, [{ kind: 'hang' }]);
    try {
      const r = await cli(runArgs(out, '--concurrency', '2', '--no-cache'));
      expect(r.code, r.stderr).toBe(0);
      expect((await runJson(out)).counts.retries).toBe(2);
      expect(byId(await lines(out))).toEqual(reference);
    } finally {
      server.faultEvery(0, []);
    }
  });

  it('records items that fail every attempt in both files (exit 1), and --resume retries them', async () => {
    const out = join(work, 'failing');
    server.faultEvery(1, [{ kind: '500' }]);
    let r: CliResult;
    try {
      r = await cli(runArgs(out, '--retries', '0', '--concurrency', '4'));
    } finally {
      server.faultEvery(0, []);
    }
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`0/${ITEMS} items done, ${ITEMS} failed`);
    expect(r.stderr).toMatch(/failed demo-\d+: SERVER_ERROR/);
    const failedLines = (await lines(out)).map((l) => JSON.parse(l) as { status?: string; error?: { code: string } });
    expect(failedLines).toHaveLength(ITEMS);
    expect(failedLines.every((l) => l.status === 'failed' && l.error?.code === 'SERVER_ERROR')).toBe(true);
    const prov = await runJson(out);
    expect(prov.failures).toHaveLength(ITEMS);
    expect(prov.status).toBe('incomplete');
    // score does not count failed lines as predictions; it names them.
    const score = await cli(['score', dataset, join(out, 'predictions.jsonl')]);
    expect(score.code).toBe(1);
    expect(score.stderr).toContain('failed in the run');

    const again = await cli(runArgs(out, '--resume', '--concurrency', '4'));
    expect(again.code, again.stderr).toBe(0);
    expect(byId(await lines(out))).toEqual(reference);
    expect(await lines(out)).toHaveLength(ITEMS);
  });

  it('the cache answers a rerun of the same model and never another model', async () => {
    const cache = join(work, 'shared-cache');
    const a1 = await cli(runArgs(join(work, 'cache-a1'), '--cache', cache));
    expect(a1.code, a1.stderr).toBe(0);
    const count = (model: string) => server.requests.filter((r) => r.model === model).length;
    const aBefore = count(MODEL);
    const a2 = await cli(runArgs(join(work, 'cache-a2'), '--cache', cache));
    expect(a2.code).toBe(0);
    expect(count(MODEL)).toBe(aBefore); // all 40 from the cache
    expect(a2.stdout).toContain(`${ITEMS} cached answers`);

    const otherBefore = count(OTHER);
    const b = await cli(['run', dataset, '--base-url', server.url, '--model', OTHER, '--out', join(work, 'cache-b'), '--cache', cache]);
    expect(b.code, b.stderr).toBe(0);
    expect(count(OTHER) - otherBefore).toBe(ITEMS); // every answer asked of the other model
    expect(b.stdout).toContain(' 0 cached answers');
  });

  it('stops with AUTH when the key is missing, and never writes the key anywhere', async () => {
    const key = 'sk-medfact-test-9f8e7d';
    const locked = await startOpenAIServer({ root, apiKey: key });
    try {
      const out = join(work, 'auth');
      const denied = await cli(['run', dataset, '--base-url', locked.url, '--model', MODEL, '--out', out]);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toContain('API key');
      const ok = await cli(['run', dataset, '--base-url', locked.url, '--model', MODEL, '--out', out, '--api-key-env', 'MEDFACT_TEST_KEY'], { MEDFACT_TEST_KEY: key });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout + ok.stderr).not.toContain(key);
      const files: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        for (const e of await readdir(dir, { withFileTypes: true })) {
          const p = join(dir, e.name);
          if (e.isDirectory()) await walk(p);
          else files.push(p);
        }
      };
      await walk(out);
      expect(files.length).toBeGreaterThan(2);
      for (const f of files) expect(await readFile(f, 'utf8'), f).not.toContain(key);
    } finally {
      await locked.close();
    }
  });

  it('--judge-model gates findings with the server judge (real logprobs) and names it in run.json', async () => {
    const out = join(work, 'judge');
    const before = server.requests.filter((r) => r.kind === 'judge').length;
    const r = await cli(runArgs(out, '--judge-model', OTHER, '--threshold', '0.3', '--concurrency', '4'));
    expect(r.code, r.stderr).toBe(0);
    expect(server.requests.filter((x) => x.kind === 'judge' && x.model === OTHER).length - before).toBeGreaterThan(0);
    expect(await runJson(out)).toMatchObject({ judge: { requested: OTHER, served: OTHER }, settings: { threshold: 0.3 } });
    const first = JSON.parse((await lines(out))[0] ?? '{}') as { spans: { score: number }[] };
    expect(first.spans.every((s) => s.score >= 0.3)).toBe(true);
  });

  it('usage errors exit 2 before any work', async () => {
    const r = await cli(['run', dataset, '--engine', 'openai', '--model', MODEL]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--base-url');
    const bad = await cli(runArgs(join(work, 'x'), '--concurrency', '0'));
    expect(bad.code).toBe(2);
    expect(await stat(join(work, 'x')).then(() => true, () => false)).toBe(false);
  });
});

describe('medfact run --engine transformers (local ONNX folder, CPU)', () => {
  it('gives the same predictions as the server running the same model', async () => {
    const out = join(work, 'local');
    const r = await cli(['run', dataset, '--engine', 'transformers', '--model-dir', join(root, MODEL), '--out', out, '--context-tokens', '8192']);
    expect(r.code, r.stderr).toBe(0);
    const local = byId(await lines(out));
    expect(local.size).toBe(ITEMS);
    for (const [id, line] of reference) {
      const a = JSON.parse(line) as { has_error: boolean; spans: unknown };
      const b = JSON.parse(local.get(id) ?? '{}') as { has_error: boolean; spans: unknown };
      expect([id, b.has_error, b.spans]).toEqual([id, a.has_error, a.spans]);
    }
    expect(await runJson(out)).toMatchObject({ engine: 'transformers', status: 'complete', model: { dtype: 'fp32' } });
  });
});
