/**
 * Chromium and static serving for the browser measurements: Debian's
 * Chromium through Playwright (tests/browser/launch.ts) and the production
 * build served locally (tests/browser/static-server.ts), plus vite builds
 * into perf/out/ so the suite never writes the dist/ other tools use.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** `vite build` of the app, or of another config, into `outDir`. */
export async function viteBuild(root: string, outDir: string, config?: string): Promise<void> {
  const args = [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'];
  if (config) args.push('--config', config);
  await run(process.execPath, args, {
    cwd: root,
    env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
}
