/**
 * `medfact run --library`: the real CLI against the conformance server
 * serving fixture/tiny-verifier-cite (real inference; its answer cites
 * passage [1]). Every item gets the grounded prompt with passages from the
 * library, and run.json records the library's content hash and k, so two
 * runs (with and without) can be compared with `medfact score`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureModels } from '../fixtures/ensure-models';
import { startOpenAIServer, type OpenAIServer } from '../fixtures/openai-server';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MODEL = 'fixture/tiny-verifier-cite';
const CORPUS = join(repo, 'tests', 'fixtures', 'evidence', 'corpus.jsonl');

let server: OpenAIServer;
let work: string;
let dataset: string;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/medfact.ts', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return new Promise((r) => child.on('close', (code) => r({ code, stdout, stderr })));
}

beforeAll(async () => {
  const root = await ensureFixtureModels();
  server = await startOpenAIServer({ root, memoize: true, models: { [MODEL]: MODEL } });
  work = await mkdtemp(join(tmpdir(), 'medfact-run-library-'));
  const demo = join(work, 'demo.jsonl');
  expect((await cli(['demo', '--out', demo])).code).toBe(0);
  // Three items keep the CPU inference short.
  dataset = join(work, 'three.jsonl');
  await writeFile(dataset, `${(await readFile(demo, 'utf8')).split('\n').filter((l) => l.trim() !== '').slice(0, 3).join('\n')}\n`);
});

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('medfact run --library', () => {
  it('checks every item against the library and records its hash and k in run.json', async () => {
    const out = join(work, 'grounded');
    const r = await cli(['run', dataset, '--engine', 'openai', '--base-url', server.url, '--model', MODEL, '--out', out, '--library', CORPUS, '--k', '2', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { settings: { library: { hash: string; k: number; passages: number } | null }; prompt: { id: string; answerFormat: string } };
    expect(run.prompt).toMatchObject({ id: 'medfact-verifier/grounded', answerFormat: 'answer-v2' });
    expect(run.settings.library).toMatchObject({ k: 2, passages: 36 });
    expect(run.settings.library!.hash).toMatch(/^rows-[0-9a-f]{8}$/);
    const lines = (await readFile(join(out, 'predictions.jsonl'), 'utf8')).split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(3);

    // --resume with another library is refused: the settings differ.
    const other = join(work, 'other.jsonl');
    await writeFile(other, `${(await readFile(CORPUS, 'utf8')).split('\n').slice(0, 5).join('\n')}\n`);
    const resumed = await cli(['run', dataset, '--engine', 'openai', '--base-url', server.url, '--model', MODEL, '--out', out, '--library', other, '--k', '2', '--resume', '--no-cache']);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain('library');
  });

  it('refuses --k without --library (usage, exit 2)', async () => {
    const r = await cli(['run', dataset, '--engine', 'openai', '--base-url', server.url, '--model', MODEL, '--k', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--k is for --library');
  });
});
