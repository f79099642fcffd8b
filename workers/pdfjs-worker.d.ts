// pdf.js ships no types for its worker module; the extraction worker only registers it.
declare module 'pdfjs-dist/build/pdf.worker.mjs';
