/**
 * PDF to library text with pdf.js, page by page, keeping page numbers.
 * Chinese PDFs need the CMaps (and standard fonts) from pdfjs-dist: without
 * them Chinese text silently disappears (pdf.js #9380), so the caller must
 * pass where they are (the app's own origin in the browser, the package
 * folder in Node). pdf.js itself is passed in, so the browser worker and the
 * CLI (legacy build) load their own build lazily.
 */
import { ExtractError } from './extract-error';

/** The part of pdf.js this module uses (structural, so both builds fit). */
export interface PdfjsLike {
  getDocument(params: {
    data: Uint8Array;
    cMapUrl: string;
    cMapPacked: boolean;
    standardFontDataUrl: string;
    isEvalSupported?: boolean;
    useSystemFonts?: boolean;
    verbosity?: number;
  }): { promise: Promise<PdfDocLike>; destroy(): Promise<void> };
}
interface PdfDocLike {
  numPages: number;
  getPage(n: number): Promise<{ getTextContent(): Promise<{ items: unknown[] }>; cleanup(): void }>;
  destroy(): Promise<void>;
  getMetadata?(): Promise<{ info?: unknown }>;
}

export interface PdfAssets {
  /** Folder URL (or, in Node, path) of pdfjs-dist's cmaps/, ending in "/". */
  cMapUrl: string;
  /** Folder URL (or path) of pdfjs-dist's standard_fonts/, ending in "/". */
  standardFontDataUrl: string;
}

export interface PdfText {
  title: string | null;
  text: string;
  pages: { page: number; start: number }[];
}

function itemText(item: unknown): { str: string; eol: boolean } | null {
  if (typeof item !== 'object' || item === null || !('str' in item)) return null;
  const str = (item as { str: unknown }).str;
  const eol = (item as { hasEOL?: unknown }).hasEOL === true;
  return typeof str === 'string' ? { str, eol } : null;
}

export async function extractPdfText(pdfjs: PdfjsLike, data: Uint8Array, assets: PdfAssets, fileName: string, signal?: AbortSignal): Promise<PdfText> {
  // pdf.js may transfer (detach) the buffer; give it a copy so the caller's bytes stay usable.
  const task = pdfjs.getDocument({ data: data.slice(), cMapUrl: assets.cMapUrl, cMapPacked: true, standardFontDataUrl: assets.standardFontDataUrl, isEvalSupported: false, useSystemFonts: false, verbosity: 0 });
  let doc: PdfDocLike;
  try {
    doc = await task.promise;
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'PasswordException') throw new ExtractError('ENCRYPTED', `${fileName} is password-protected; remove the password (or print it to a new PDF) and import again.`);
    throw new ExtractError('CORRUPT', `${fileName} could not be read as a PDF (${error instanceof Error ? error.message : String(error)}); the file may be damaged.`);
  }
  try {
    let title: string | null = null;
    try {
      const info = (await doc.getMetadata?.())?.info;
      const t = typeof info === 'object' && info !== null ? (info as { Title?: unknown }).Title : undefined;
      if (typeof t === 'string' && t.trim() !== '') title = t.trim();
    } catch {
      // Metadata is optional.
    }
    let text = '';
    const pages: { page: number; start: number }[] = [];
    let chars = 0;
    for (let n = 1; n <= doc.numPages; n++) {
      signal?.throwIfAborted();
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      if (text.length > 0) text += '\n';
      pages.push({ page: n, start: text.length });
      let line = '';
      for (const raw of content.items) {
        const it = itemText(raw);
        if (!it) continue;
        line += it.str;
        if (it.eol) {
          text += `${line.trimEnd()}\n`;
          line = '';
        }
      }
      text += line.trimEnd();
      chars += text.length - (pages[pages.length - 1]?.start ?? 0);
      page.cleanup();
    }
    if (chars === 0 || text.trim() === '') {
      throw new ExtractError('NO_TEXT_LAYER', `${fileName} has no text layer (probably a scanned image); text recognition (OCR) is not supported, so import a text PDF or a Word/TXT version.`);
    }
    return { title, text, pages };
  } finally {
    await doc.destroy();
  }
}
