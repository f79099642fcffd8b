/**
 * One entry point from file bytes to library text, shared by the app's
 * extraction worker and `medfact retrieve`: .txt/.md, .html (text only),
 * .pdf (pdf.js, with pages), .docx (mammoth). Refuses files over 200 MB and
 * unsupported types with a message naming the file; empty results are
 * errors too, so nothing half-indexed reaches the library.
 */
import { decodeText, htmlToText } from './plain-text';
import { extractDocxText } from './docx-text';
import { extractPdfText, type PdfAssets, type PdfjsLike } from './pdf-text';
import { documentKind, ExtractError, MAX_DOCUMENT_BYTES, SUPPORTED_EXTENSIONS } from './extract-error';

export interface ExtractedDocument {
  title: string;
  text: string;
  /** PDF page starts in `text`. */
  pages?: { page: number; start: number }[];
  kind: 'text' | 'html' | 'pdf' | 'docx';
}

export interface ExtractEnv {
  /** Loads pdf.js (browser build in a worker, legacy build in Node). */
  loadPdfjs: () => Promise<PdfjsLike>;
  pdfAssets: PdfAssets;
  signal?: AbortSignal;
}

function baseName(fileName: string): string {
  const name = fileName.split(/[\\/]/).pop() ?? fileName;
  return name.replace(/\.[^.]+$/, '') || name;
}

/** Throws ExtractError for a file it cannot take, before reading it. */
export function checkAcceptable(fileName: string, size: number): void {
  if (size > MAX_DOCUMENT_BYTES) {
    throw new ExtractError('TOO_LARGE', `${fileName} is ${(size / 1024 / 1024).toFixed(0)} MB; files over 200 MB are refused. Split it, or import its text as .txt.`);
  }
  if (documentKind(fileName) === null) {
    throw new ExtractError('UNSUPPORTED_TYPE', `${fileName}: this file type is not supported; use ${SUPPORTED_EXTENSIONS.map((e) => `.${e}`).join(', ')} (or a passages .jsonl/.csv).`);
  }
}

export async function extractDocument(fileName: string, data: Uint8Array, env: ExtractEnv): Promise<ExtractedDocument> {
  checkAcceptable(fileName, data.byteLength);
  const kind = documentKind(fileName) as ExtractedDocument['kind'];
  let out: ExtractedDocument;
  switch (kind) {
    case 'text':
      out = { title: baseName(fileName), text: decodeText(data).replace(/\r\n?/g, '\n'), kind };
      break;
    case 'html': {
      const { title, text } = htmlToText(decodeText(data));
      out = { title: title ?? baseName(fileName), text, kind };
      break;
    }
    case 'docx':
      out = { title: baseName(fileName), text: await extractDocxText(data, fileName), kind };
      break;
    case 'pdf': {
      const pdfjs = await env.loadPdfjs();
      const pdf = await extractPdfText(pdfjs, data, env.pdfAssets, fileName, env.signal);
      out = { title: pdf.title ?? baseName(fileName), text: pdf.text, pages: pdf.pages, kind };
      break;
    }
  }
  if (out.text.trim() === '') throw new ExtractError('EMPTY', `${fileName} contains no text to index.`);
  return out;
}
