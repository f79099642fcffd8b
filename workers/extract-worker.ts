/**
 * Document text extraction off the main thread: pdf.js and mammoth load
 * here, lazily, never in the page's first paint. pdf.js runs in this worker
 * itself (its worker module is imported and registered as
 * globalThis.pdfjsWorker), with CMaps and standard fonts fetched from the
 * app's own origin (copied there at build), so Chinese PDFs work offline.
 * Request: { id, fileName, bytes, assetBase }; reply: { id, ok, doc | error }.
 */
import { extractDocument, ExtractError, type PdfjsLike } from '../src/domain/extract';

interface ExtractRequest {
  id: number;
  fileName: string;
  bytes: ArrayBuffer;
  /** Absolute URL of the folder holding cmaps/ and standard_fonts/, ending in "/". */
  assetBase: string;
}

let pdfjs: Promise<PdfjsLike> | undefined;
function loadPdfjs(): Promise<PdfjsLike> {
  pdfjs ??= (async () => {
    const [lib, worker] = await Promise.all([import('pdfjs-dist'), import('pdfjs-dist/build/pdf.worker.mjs')]);
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
    return lib as unknown as PdfjsLike;
  })();
  return pdfjs;
}

self.onmessage = async (event: MessageEvent<ExtractRequest>) => {
  const { id, fileName, bytes, assetBase } = event.data;
  try {
    const doc = await extractDocument(fileName, new Uint8Array(bytes), {
      loadPdfjs,
      pdfAssets: { cMapUrl: `${assetBase}cmaps/`, standardFontDataUrl: `${assetBase}standard_fonts/` },
    });
    self.postMessage({ id, ok: true, doc });
  } catch (error) {
    const code = error instanceof ExtractError ? error.code : 'CORRUPT';
    const message = error instanceof Error ? error.message : String(error);
    self.postMessage({ id, ok: false, error: { code, message: error instanceof ExtractError ? message : `${fileName} could not be read: ${message}` } });
  }
};
