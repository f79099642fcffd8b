/**
 * Browser tests run against the production build: build it once, build the
 * tiny fixture models, serve dist/ locally, and hand the URLs to the tests
 * (inject('appUrl') etc.).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startAppServer } from './static-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The production build served locally, with a trailing slash. */
    appUrl: string;
    /** Absolute path of the build. */
    distDir: string;
    /** Absolute path of the built fixture models, or '' when they could not be built. */
    fixtureModelsDir: string;
  }
}

const ROOT = resolve(import.meta.dirname, '..', '..');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const distDir = join(ROOT, 'dist');
  // Always build: it takes seconds and a stale dist/ would test old code.
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
    // vitest sets NODE_ENV=test, which would give a development build (React dev, no service worker).
    env: { ...process.env, NODE_ENV: 'production', VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
  });

  let fixtureModelsDir = '';
  const ensureModels = join(ROOT, 'tests', 'fixtures', 'ensure-models.ts');
  if (existsSync(ensureModels)) {
    const mod = (await import(pathToFileURL(ensureModels).href)) as { ensureFixtureModels?: (dir: string) => Promise<unknown> };
    if (typeof mod.ensureFixtureModels !== 'function') throw new Error('tests/fixtures/ensure-models.ts does not export ensureFixtureModels(dir).');
    fixtureModelsDir = join(ROOT, 'tests', '.cache', 'models');
    await mod.ensureFixtureModels(fixtureModelsDir);
  } else {
    console.warn('global-setup: tests/fixtures/ensure-models.ts not found; skipping the fixture models.');
  }

  const server = await startAppServer({ dist: distDir });
  project.provide('appUrl', server.url);
  project.provide('distDir', distDir);
  project.provide('fixtureModelsDir', fixtureModelsDir);
  return () => server.close();
}
