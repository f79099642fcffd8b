/**
 * A self-hosted mirror may publish `manifest.json` at its root listing every
 * file with its size and SHA-256. Paths are relative to the mirror root,
 * either on-disk (`org/name/file`) or as served (`org/name/resolve/main/file`).
 * Accepted shapes: `{ files: [{ path, size, sha256 }] }`, `[{ path, ... }]`,
 * or a map `{ "<path>": { size, sha256 } }` (optionally under `files`).
 */
import { z } from '../../protocol/zod';

export interface ManifestEntry {
  size: number | null;
  sha256: string | null;
}

/** Keys are normalised paths `org/name/file` (no `resolve/<rev>/`). */
export type MirrorManifest = ReadonlyMap<string, ManifestEntry>;

const entryFields = z.object({
  size: z.number().int().nonnegative().optional(),
  bytes: z.number().int().nonnegative().optional(),
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/).optional(),
});
const listEntry = entryFields.extend({ path: z.string().min(1) });
const listShape = z.array(listEntry);
const mapShape = z.record(z.string(), entryFields);

/** Drops a leading slash and a `resolve/<rev>/` segment so disk and served paths compare equal. */
export function normaliseManifestPath(path: string): string {
  return path
    .replace(/\\/g, '/')
    .replace(/^\.?\/+/, '')
    .replace(/\/resolve\/[^/]+\//, '/');
}

function toEntry(e: z.infer<typeof entryFields>): ManifestEntry {
  return { size: e.size ?? e.bytes ?? null, sha256: e.sha256?.toLowerCase() ?? null };
}

/** Parses a manifest; returns null when the shape is not one we understand. */
export function parseMirrorManifest(json: unknown): MirrorManifest | null {
  const out = new Map<string, ManifestEntry>();
  const inner = json && typeof json === 'object' && !Array.isArray(json) && 'files' in json ? (json as { files: unknown }).files : json;
  const list = listShape.safeParse(inner);
  if (list.success) {
    for (const e of list.data) out.set(normaliseManifestPath(e.path), toEntry(e));
    return out;
  }
  const map = mapShape.safeParse(inner);
  if (map.success) {
    for (const [path, e] of Object.entries(map.data)) out.set(normaliseManifestPath(path), toEntry(e));
    return out;
  }
  return null;
}

/** Entries of one model folder, keyed by the path inside it. */
export function manifestFilesFor(manifest: MirrorManifest, modelId: string): Map<string, ManifestEntry> {
  const prefix = `${normaliseManifestPath(modelId).replace(/\/$/, '')}/`;
  const out = new Map<string, ManifestEntry>();
  for (const [path, entry] of manifest) {
    if (path.startsWith(prefix)) out.set(path.slice(prefix.length), entry);
  }
  return out;
}
