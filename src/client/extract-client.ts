/**
 * Main-thread proxy to the extraction worker (workers/extract-worker.ts):
 * one lazily started module worker, one request at a time per id, typed
 * errors back. The worker is only created when a document is imported.
 */
import { ExtractError, type ExtractedDocument, type ExtractErrorCode } from '../domain/extract';

type Reply = { id: number; ok: true; doc: ExtractedDocument } | { id: number; ok: false; error: { code: ExtractErrorCode; message: string } };

/** Where the build puts pdf.js's cmaps/ and standard_fonts/ (vite.config.ts copies them). */
export const PDFJS_ASSET_DIR = 'pdfjs/';

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, { resolve: (d: ExtractedDocument) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('../../workers/extract-worker.ts', import.meta.url), { type: 'module', name: 'medfact-extract' });
  w.onmessage = (event: MessageEvent<Reply>) => {
    const r = event.data;
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (r.ok) p.resolve(r.doc);
    else p.reject(new ExtractError(r.error.code, r.error.message));
  };
  w.onerror = (event) => {
    event.preventDefault();
    for (const p of pending.values()) p.reject(new Error('The document reader stopped unexpectedly; try the import again.'));
    pending.clear();
    w.terminate();
    worker = undefined;
  };
  worker = w;
  return w;
}

/** Extracts a document's text in the worker. The bytes are copied, so the caller keeps them. */
export function extractInWorker(fileName: string, bytes: Uint8Array): Promise<ExtractedDocument> {
  const id = nextId++;
  const copy = bytes.slice().buffer;
  const assetBase = new URL(PDFJS_ASSET_DIR, document.baseURI).href;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    getWorker().postMessage({ id, fileName, bytes: copy, assetBase }, [copy]);
  });
}
