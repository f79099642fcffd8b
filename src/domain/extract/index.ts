/**
 * Document text extraction for the reference library (no DOM, no model
 * library; pdf.js and mammoth load lazily). Runs in the app's extraction
 * worker and in the Node CLI.
 */
export * from './extract-error';
export * from './plain-text';
export * from './pdf-text';
export * from './docx-text';
export * from './extract-document';
