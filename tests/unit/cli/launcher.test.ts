/**
 * `npm run medfact` runs scripts/medfact.mjs: a bundle of the CLI built on
 * first use and rebuilt when a source it was built from changes. The bundle
 * must behave exactly like the TypeScript sources run through tsx.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');
// Inside node_modules, where the bundle's own imports resolve; one folder per test process.
const cache = join(root, 'node_modules', '.cache', `medfact-cli-test-${process.pid}`);
const launcher = join(root, 'scripts', 'medfact.mjs');

interface Manifest {
  dir: string;
  inputs: Record<string, string>;
}
const manifest = (): Manifest => JSON.parse(readFileSync(join(cache, 'manifest.json'), 'utf8')) as Manifest;

async function medfact(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [launcher, ...args], { cwd: root, env: { ...process.env, MEDFACT_CLI_CACHE: cache, ...env }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

afterAll(async () => {
  await rm(cache, { recursive: true, force: true });
});

describe('the medfact launcher (pre-bundled CLI)', () => {
  it('builds the bundle on first use, reuses it, rebuilds when a source changes, and answers like the sources under tsx', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medfact-launcher-'));
    try {
      const demo = join(dir, 'demo.jsonl');
      const first = await medfact(['demo', '--out', demo]);
      expect(first.code).toBe(0);
      expect(existsSync(demo)).toBe(true);
      const built = manifest();
      expect(Object.keys(built.inputs)).toContain('src/cli/medfact.ts');
      expect(Object.keys(built.inputs)).toContain('src/core/metrics/compute-metrics.ts');
      expect(existsSync(join(cache, built.dir, 'medfact.js'))).toBe(true);

      // Same answer as the TypeScript sources (tsx), and no rebuild.
      const bundled = await medfact(['inspect', demo, '--json']);
      const sources = await medfact(['inspect', demo, '--json'], { MEDFACT_NO_BUNDLE: '1' });
      expect(bundled.code).toBe(0);
      expect(JSON.parse(bundled.stdout)).toEqual(JSON.parse(sources.stdout));
      expect(manifest().dir).toBe(built.dir);

      // A source that no longer has the hash the bundle was built from: rebuilt before running.
      const stale = manifest();
      stale.inputs['src/cli/medfact.ts'] = 'edited';
      writeFileSync(join(cache, 'manifest.json'), JSON.stringify(stale));
      const again = await medfact(['inspect', demo, '--json']);
      expect(again.code).toBe(0);
      expect(manifest().dir).not.toBe(built.dir);
      expect(manifest().inputs['src/cli/medfact.ts']).toBe(built.inputs['src/cli/medfact.ts']);

      // Exit codes pass through: usage error 2, user error 1.
      expect((await medfact(['frobnicate'])).code).toBe(2);
      const missing = await medfact(['inspect', join(dir, 'nope.jsonl')]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/nope\.jsonl/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
