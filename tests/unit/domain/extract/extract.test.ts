import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../../../src/core/evidence';
import { checkAcceptable, extractDocument, ExtractError, htmlToText, MAX_DOCUMENT_BYTES, type ExtractEnv, type PdfjsLike } from '../../../../src/domain/extract';
import { makeChinesePdf, makeDocx, makeScannedPdf } from '../../../fixtures/evidence/make-documents';

const pkg = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const env: ExtractEnv = {
  loadPdfjs: async () => (await import('pdfjs-dist/legacy/build/pdf.mjs')) as unknown as PdfjsLike,
  pdfAssets: { cMapUrl: `${join(pkg, 'cmaps')}/`, standardFontDataUrl: `${join(pkg, 'standard_fonts')}/` },
};
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'none';
  } catch (e) {
    return e instanceof ExtractError ? e.code : `other: ${String(e)}`;
  }
}

describe('document extraction', () => {
  it('reads a Chinese PDF printed by Chromium page by page, with its title and page offsets', async () => {
    const pdf = await makeChinesePdf('华法林用药指导', [['华法林的目标INR为2.0～3.0。'], ['维生素K会降低华法林的疗效，饮食应保持稳定。']]);
    const doc = await extractDocument('华法林.pdf', pdf, env);
    expect(doc.title).toBe('华法林用药指导');
    expect(doc.pages).toEqual([{ page: 1, start: 0 }, { page: 2, start: expect.any(Number) }]);
    expect(doc.text).toContain('华法林的目标INR为2.0～3.0。');
    const passages = chunkDocument('d', doc);
    expect(passages.find((p) => p.text.includes('维生素K'))?.page).toBe(2);
    expect(passages.find((p) => p.text.includes('目标INR'))?.page).toBe(1);
  }, 60_000);

  it('reads a .docx paragraph by paragraph', async () => {
    const doc = await extractDocument('阿莫西林.docx', await makeDocx(['阿莫西林成人一次0.5g。', '青霉素过敏者禁用。']), env);
    expect(doc).toMatchObject({ title: '阿莫西林', kind: 'docx' });
    expect(doc.text).toBe('阿莫西林成人一次0.5g。\n\n青霉素过敏者禁用。');
  });

  it('reads text as UTF-8 or GB18030, and HTML as text only', async () => {
    expect((await extractDocument('a.txt', utf8('\uFEFF第一行\r\n第二行'), env)).text).toBe('第一行\n第二行');
    const gb = new Uint8Array([0xb0, 0xa2, 0xcb, 0xbe, 0xc6, 0xa5, 0xc1, 0xd6]); // 阿司匹林 in GB18030
    expect((await extractDocument('b.md', gb, env)).text).toBe('阿司匹林');
    const html = '<html><head><title>指南&amp;共识</title><style>p{}</style><script>alert(1)</script></head><body><h1>标题</h1><p>每日&nbsp;100mg。</p><!-- x --><p>第二段</p></body></html>';
    expect(htmlToText(html)).toEqual({ title: '指南&共识', text: '标题\n\n每日 100mg。\n\n第二段' });
  });

  it('says a scanned PDF has no text layer, and a damaged one cannot be read', async () => {
    await expect(extractDocument('扫描件.pdf', await makeScannedPdf(), env)).rejects.toThrow(/扫描件\.pdf has no text layer/);
    expect(await codeOf(extractDocument('坏.pdf', utf8('%PDF-1.7 not really'), env))).toBe('CORRUPT');
    expect(await codeOf(extractDocument('坏.docx', utf8('not a zip'), env))).toBe('CORRUPT');
  }, 60_000);

  it('refuses files over 200 MB, unsupported types and empty text, naming the file', async () => {
    expect(() => checkAcceptable('big.pdf', MAX_DOCUMENT_BYTES + 1)).toThrow(/big\.pdf is 200 MB; files over 200 MB are refused/);
    expect(() => checkAcceptable('slides.pptx', 10)).toThrow(/slides\.pptx: this file type is not supported/);
    expect(await codeOf(extractDocument('empty.txt', utf8('  \n'), env))).toBe('EMPTY');
  });
});
