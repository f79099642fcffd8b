/** The Models/Storage panel's line about the reference library: documents, passages and approximate bytes. */
import { describe, expect, it } from 'vitest';
import { extractDocument } from '../../../../src/domain/extract';
import { LibraryService } from '../../../../src/domain/library/library-service';
import { libraryUsage } from '../../../../src/domain/library/library-usage';
import { librarySnapshot } from '../../../../src/domain/library/library-snapshot';

const extract = (name: string, bytes: Uint8Array) => extractDocument(name, bytes, { loadPdfjs: async () => Promise.reject(new Error('no PDFs here')), pdfAssets: { cMapUrl: '', standardFontDataUrl: '' } });
const file = (name: string, text: string) => {
  const bytes = new TextEncoder().encode(text);
  return { name, size: bytes.byteLength, arrayBuffer: async () => bytes.slice().buffer };
};

describe('library usage and snapshot (the app library, default database)', () => {
  it('is empty at first, then counts what an import stored, and the run snapshot carries every passage with its title', async () => {
    expect(await libraryUsage()).toEqual({ documents: 0, passages: 0, bytes: 0 });
    expect(await librarySnapshot()).toBeNull();
    const text = '华法林的目标INR为2.0～3.0。维生素K会降低疗效。';
    const [o] = await new LibraryService({ extract }).importFiles([file('华法林.txt', text)]);
    expect(o).toMatchObject({ status: 'added' });
    const usage = await libraryUsage();
    expect(usage.documents).toBe(1);
    expect(usage.passages).toBeGreaterThan(0);
    // At least the text and its passages, two bytes a character.
    expect(usage.bytes).toBeGreaterThanOrEqual(text.length * 2 * 2);
    const snap = await librarySnapshot(4);
    expect(snap).toMatchObject({ k: 4, documents: 1 });
    expect(snap!.passages.length).toBe(usage.passages);
    expect(snap!.passages[0]).toMatchObject({ title: '华法林', page: null });
    expect(snap!.hash).toMatch(/^[0-9a-f]{16}$/);
  });
});
