/**
 * Installs a model from files the user picks (a folder on a USB stick in an
 * air-gapped hospital): the picked files are matched to the files the
 * engine needs by relative path, checked against known hashes, and written
 * into the engine's cache under the same keys a download would use, so
 * loading afterwards is the same as after a download.
 *
 * Accepted layouts: the mirror's (`<org>/<name>/<files>`, optionally with
 * `resolve/<rev>/`), or just the model's own files at the top of the pick.
 */
import { MedfactError } from '../../protocol/errors';
import { WEBLLM_WASM_CACHE, installRecordId, plannedFileFor, repoFolder, webllmCachesLibrary } from './cache-layout';
import { isWholeInCache, runInstall, type InstallOptions, type InstallResult, type InstallerDeps } from './installer';
import { manifestFilesFor, normaliseManifestPath, parseMirrorManifest, type ManifestEntry } from './mirror-manifest';
import { makePlan, noWebllmTokenizer, resolveModelLib, transformersOptionalFiles, transformersRequiredFiles, webllmTokenizerFile } from './plan';
import type { InstallPlan, InstallTarget, PlannedFile } from './types';

/** A picked file with its path relative to the picked folder. */
export interface PickedFile {
  relativePath: string;
  blob: Blob;
}

/** From `<input type=file webkitdirectory multiple>` or a plain multi-file input. */
export function pickedFromFileList(files: Iterable<File>): PickedFile[] {
  const out: PickedFile[] = [];
  for (const f of files) {
    const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath;
    out.push({ relativePath: rel && rel.length > 0 ? rel : f.name, blob: f });
  }
  return out;
}

interface DirHandleLike {
  kind: 'directory';
  name: string;
  values(): AsyncIterable<DirHandleLike | FileHandleLike>;
}
interface FileHandleLike {
  kind: 'file';
  name: string;
  getFile(): Promise<File>;
}

/** Walks a FileSystemDirectoryHandle from showDirectoryPicker (Chromium). */
export async function pickedFromDirectoryHandle(dir: DirHandleLike, prefix = ''): Promise<PickedFile[]> {
  const out: PickedFile[] = [];
  const base = `${prefix}${dir.name}/`;
  for await (const entry of dir.values()) {
    if (entry.kind === 'file') out.push({ relativePath: `${base}${entry.name}`, blob: await entry.getFile() });
    else out.push(...(await pickedFromDirectoryHandle(entry, base)));
  }
  return out;
}

/** Paths normalised like the mirror manifest's, without `resolve/<rev>/`. */
function norm(path: string): string {
  return normaliseManifestPath(path);
}

/**
 * Finds the picked file for a model file: preferring `<org>/<name>/<file>`,
 * then `<name>/<file>`, then a bare `<file>` at any depth of one folder.
 */
export function matchPicked(picked: readonly PickedFile[], modelId: string, path: string): PickedFile | undefined {
  const withPaths = picked.map((p) => ({ p, n: norm(p.relativePath) }));
  const name = modelId.split('/').pop() ?? modelId;
  const full = `${modelId}/${path}`;
  return (
    withPaths.find((x) => x.n === full || x.n.endsWith(`/${full}`))?.p ??
    withPaths.find((x) => x.n === `${name}/${path}` || x.n.endsWith(`/${name}/${path}`))?.p ??
    withPaths.find((x) => x.n === path || x.n.split('/').slice(1).join('/') === path)?.p
  );
}

async function readJson(blob: Blob | undefined): Promise<unknown> {
  if (!blob) return null;
  try {
    return JSON.parse(await blob.text()) as unknown;
  } catch {
    return null;
  }
}

/** Hashes from a manifest.json among the picked files (the mirror's own, copied along). */
async function pickedManifest(picked: readonly PickedFile[], modelId: string): Promise<Map<string, ManifestEntry>> {
  for (const p of picked) {
    if (!/(^|\/)manifest\.json$/.test(p.relativePath)) continue;
    const parsed = parseMirrorManifest(await readJson(p.blob));
    if (!parsed) continue;
    const entries = manifestFilesFor(parsed, modelId);
    if (entries.size > 0) return entries;
  }
  return new Map();
}

function missing(target: InstallTarget, paths: string[]): MedfactError {
  return new MedfactError(
    'BAD_INPUT',
    `The picked files lack ${paths.join(', ')} for ${target.id}. Pick the model's folder (the mirror layout <org>/<name>/… or the model's own files).`,
    { modelId: target.id, missing: paths },
  );
}

export interface ImportPlan {
  plan: InstallPlan;
  /** The picked file for each planned cache key. */
  sources: Map<string, Blob>;
}

/** Matches the picked files to the engine's file list; throws BAD_INPUT listing what is missing. */
export async function planImport(target: InstallTarget, picked: readonly PickedFile[]): Promise<ImportPlan> {
  const folder = repoFolder(target);
  const entries = await pickedManifest(picked, folder);
  const sources = new Map<string, Blob>();
  const files: PlannedFile[] = [];
  const absent: string[] = [];
  const add = (path: string, kind: PlannedFile['kind'], required: boolean): void => {
    const hit = matchPicked(picked, folder, path);
    if (!hit) {
      if (required) absent.push(path);
      return;
    }
    const e = entries.get(path);
    // the size is the picked file's own; the hash comes from the catalog or a copied manifest
    const f = plannedFileFor(target, path, kind, hit.blob.size, e?.sha256 ?? null);
    if (e?.size !== undefined && e.size !== null && e.size !== hit.blob.size) f.size = e.size;
    files.push(f);
    sources.set(f.cacheKey, hit.blob);
  };

  if (target.files) {
    for (const p of target.files) add(p, 'weights', true);
  } else if (target.engine === 'transformers') {
    for (const p of transformersRequiredFiles(target)) add(p, p.endsWith('.onnx') ? 'weights' : p.startsWith('tokenizer') ? 'tokenizer' : 'config', true);
    for (const p of transformersOptionalFiles(target)) add(p, p.endsWith('.json') ? 'config' : 'weights', false);
  } else {
    add('mlc-chat-config.json', 'config', true);
    // the tokenizer web-llm will read is the one the config names, whatever else the folder holds
    const configBlob = matchPicked(picked, folder, 'mlc-chat-config.json')?.blob;
    const chatConfig = await readJson(configBlob);
    if (configBlob && chatConfig === null) {
      throw new MedfactError('BAD_INPUT', `The picked mlc-chat-config.json of ${target.id} is not valid JSON. Copy the model folder again from its source.`, { modelId: target.id, file: 'mlc-chat-config.json' });
    }
    const tokenizer = webllmTokenizerFile(chatConfig);
    if (tokenizer === null) throw noWebllmTokenizer(target, chatConfig);
    add(tokenizer, 'tokenizer', true);
    add('tensor-cache.json', 'config', true);
    const tc = await readJson(matchPicked(picked, folder, 'tensor-cache.json')?.blob);
    const records = tc && typeof tc === 'object' && Array.isArray((tc as { records?: unknown }).records) ? (tc as { records: unknown[] }).records : [];
    const shards = new Set<string>();
    for (const r of records) {
      const dp = r && typeof r === 'object' ? (r as { dataPath?: unknown }).dataPath : undefined;
      if (typeof dp === 'string') shards.add(dp);
    }
    for (const s of shards) add(s, 'weights', true);
    // web-llm reads the library from its cache unless the URL is relative or names localhost
    const lib = resolveModelLib(target);
    if (lib && webllmCachesLibrary(lib)) {
      const name = decodeURIComponent(new URL(lib).pathname.split('/').pop() ?? '');
      const hit = picked.find((p) => norm(p.relativePath).split('/').pop() === name);
      // without the picked file the library must already be in the cache (importFromFiles checks)
      files.push({ path: name, url: lib, cacheName: WEBLLM_WASM_CACHE, cacheKey: lib, size: hit?.blob.size ?? null, sha256: target.sha256?.[name]?.toLowerCase() ?? null, kind: 'library' });
      if (hit) sources.set(lib, hit.blob);
    }
  }
  if (absent.length > 0) throw missing(target, absent);
  const plan = makePlan(target, files);
  if (plan.recordId !== installRecordId(target)) throw new MedfactError('INTERNAL', 'record id mismatch');
  return { plan, sources };
}

/** Installs from picked files; afterwards the model loads exactly as after a download. */
export async function importFromFiles(target: InstallTarget, picked: readonly PickedFile[], deps: InstallerDeps, options: InstallOptions = {}): Promise<InstallResult> {
  const { plan, sources } = await planImport(target, picked);
  // a file not picked (the WebLLM library) must already be whole in the cache, or web-llm would download it
  const absent: string[] = [];
  for (const f of plan.files) if (!sources.has(f.cacheKey) && !(await isWholeInCache(deps.caches, f))) absent.push(f.path);
  if (absent.length > 0) {
    throw new MedfactError(
      'BAD_INPUT',
      `The picked files lack ${absent.join(', ')} for ${target.id}: WebLLM would download it when the model loads. Put the model library (.wasm) in the picked folder, or install the model from the mirror.`,
      { modelId: target.id, missing: absent },
    );
  }
  return runInstall(
    plan,
    deps,
    {
      async get(file, tracker) {
        const blob = sources.get(file.cacheKey);
        if (!blob) throw missing(target, [file.path]);
        tracker.download(file.path, blob.size, blob.size, blob.size, false);
        return blob;
      },
      stored: async () => 0,
      discard: async () => undefined,
    },
    'import',
    options,
  );
}
