/**
 * Why a file could not become library text, as a closed code list the UI and
 * CLI turn into a message that names the file and says what to do.
 */
export type ExtractErrorCode = 'UNSUPPORTED_TYPE' | 'TOO_LARGE' | 'NO_TEXT_LAYER' | 'ENCRYPTED' | 'CORRUPT' | 'EMPTY';

export class ExtractError extends Error {
  override readonly name = 'ExtractError';
  constructor(
    readonly code: ExtractErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Files above this are refused before reading (the browser would hold all of it in memory). */
export const MAX_DOCUMENT_BYTES = 200 * 1024 * 1024;

export const SUPPORTED_EXTENSIONS = ['txt', 'md', 'markdown', 'html', 'htm', 'pdf', 'docx'] as const;
export type DocumentKind = 'text' | 'html' | 'pdf' | 'docx';

export function extensionOf(fileName: string): string {
  const m = /\.([^./\\]+)$/.exec(fileName);
  return m ? (m[1] as string).toLowerCase() : '';
}

export function documentKind(fileName: string): DocumentKind | null {
  switch (extensionOf(fileName)) {
    case 'txt':
    case 'md':
    case 'markdown':
      return 'text';
    case 'html':
    case 'htm':
      return 'html';
    case 'pdf':
      return 'pdf';
    case 'docx':
      return 'docx';
    default:
      return null;
  }
}
