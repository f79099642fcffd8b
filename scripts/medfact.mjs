// `npm run medfact` starts here (issue 15): it runs the CLI from one
// pre-bundled ES module instead of compiling TypeScript through tsx on every
// start (tsx's loader cost 0.3–0.8 s of a 100k-item `medfact score`).
// The bundle is built on first use, and again whenever any source file it was
// built from changes (content hashes of esbuild's own input list, plus the
// esbuild version and this file), so a fresh clone needs nothing beyond
// `npm install`, and an edited source is never run stale. If bundling is not
// possible (esbuild missing or a build error), the CLI runs through tsx as before.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = 'src/cli/medfact.ts';
/**
 * Inside node_modules: git-ignored, removed with it, and bare imports of the
 * bundle resolve from here (MEDFACT_CLI_CACHE, for tests, must stay inside it too).
 */
const CACHE = process.env.MEDFACT_CLI_CACHE ? resolve(process.env.MEDFACT_CLI_CACHE) : join(ROOT, 'node_modules', '.cache', 'medfact-cli');
const MANIFEST = join(CACHE, 'manifest.json');
const SELF = fileURLToPath(import.meta.url);

function sha(data) {
  return createHash('sha256').update(data).digest('hex');
}

function fileHash(path) {
  try {
    return sha(readFileSync(path));
  } catch {
    return null;
  }
}

function esbuildVersion() {
  try {
    return createRequire(import.meta.url)('esbuild/package.json').version;
  } catch {
    return null;
  }
}

/** The bundle named by the manifest, when every input still has the hash it was built from. */
function freshBundle() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return null;
  }
  if (manifest.launcher !== fileHash(SELF) || manifest.esbuild !== esbuildVersion()) return null;
  for (const [path, hash] of Object.entries(manifest.inputs)) if (fileHash(join(ROOT, path)) !== hash) return null;
  const bundle = join(CACHE, manifest.dir, 'medfact.js');
  return existsSync(bundle) ? bundle : null;
}

/** Old build folders are removed only after an hour: a process started from one may still load its chunks. */
function removeOldBuilds(keep) {
  const hourAgo = Date.now() - 3600_000;
  for (const name of readdirSync(CACHE)) {
    const path = join(CACHE, name);
    if (!name.startsWith('build-') || name === keep) continue;
    try {
      if (statSync(path).mtimeMs < hourAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process removed it first.
    }
  }
}

async function buildBundle() {
  const { build } = await import('esbuild');
  mkdirSync(CACHE, { recursive: true });
  const dir = `build-${process.pid}-${Date.now().toString(36)}`;
  const require = createRequire(import.meta.url);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [ENTRY],
    bundle: true,
    splitting: true, // `run` and `retrieve` (and their engines) stay in chunks that `score` never loads
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external', // dependencies load from node_modules as they do under tsx
    outdir: join(CACHE, dir),
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        // Vite's `?url` asset imports (onnxruntime-web's wasm for the browser) become the file's URL.
        name: 'asset-url',
        setup(b) {
          b.onResolve({ filter: /\?url$/ }, (a) => ({ path: require.resolve(a.path.slice(0, -'?url'.length), { paths: [a.resolveDir] }), namespace: 'asset-url' }));
          b.onLoad({ filter: /.*/, namespace: 'asset-url' }, (a) => ({ contents: `export default ${JSON.stringify(pathToFileURL(a.path).href)};`, loader: 'js' }));
        },
      },
    ],
  });
  const inputs = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    if (input.startsWith('asset-url:')) continue;
    const path = relative(ROOT, resolve(ROOT, input));
    if (path.startsWith('node_modules')) continue; // external packages are not in the bundle
    inputs[path] = fileHash(join(ROOT, path));
  }
  const manifest = { dir, launcher: fileHash(SELF), esbuild: esbuildVersion(), inputs };
  const tmp = `${MANIFEST}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(manifest));
  renameSync(tmp, MANIFEST); // atomic: a concurrent start sees the old manifest or this one
  removeOldBuilds(dir);
  return join(CACHE, dir, 'medfact.js');
}

async function bundlePath() {
  const fresh = freshBundle();
  if (fresh) return fresh;
  try {
    return await buildBundle();
  } catch (error) {
    if (process.env.MEDFACT_DEBUG) console.error(`medfact: could not bundle the CLI (${error instanceof Error ? error.message : String(error)}); running it through tsx.`);
    return null;
  }
}

const bundle = process.env.MEDFACT_NO_BUNDLE ? null : await bundlePath();
if (bundle) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(ROOT, ENTRY)).href);
}
