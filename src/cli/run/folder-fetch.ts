/**
 * A fetch that answers the hub layout `{host}/{model}/resolve/{revision}/{file}`
 * from one model folder on disk, so the transformers.js engine (which loads
 * through fetch) can run a local ONNX model folder in Node with no server
 * and no network. Any other URL is refused with 404.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/** The host name used in specs served by a folder fetch; never resolved on the network. */
export const FOLDER_HOST = 'http://model-folder.invalid';

export function createFolderFetch(folder: string, modelId: string): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  const root = resolve(folder);
  const prefix = `/${modelId}/resolve/`;
  return async (input) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const path = decodeURIComponent(url.pathname);
    if (`${url.protocol}//${url.host}` !== FOLDER_HOST || !path.startsWith(prefix)) return new Response(null, { status: 404 });
    const rest = path.slice(prefix.length);
    const file = rest.slice(rest.indexOf('/') + 1); // drop the revision
    const full = resolve(root, file);
    if (!full.startsWith(root + sep)) return new Response(null, { status: 404 });
    try {
      const s = await stat(full);
      if (!s.isFile()) return new Response(null, { status: 404 });
      const bytes = await readFile(full);
      return new Response(bytes, { status: 200, headers: { 'content-length': String(bytes.length) } });
    } catch {
      return new Response(null, { status: 404 });
    }
  };
}
