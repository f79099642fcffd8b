import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkDocument, sentenceSpans } from '../../../../src/core/evidence';

const SENTENCES = [
  '阿莫西林成人一次0.5g，每6～8小时1次。',
  '青霉素过敏者禁用。',
  '肾功能严重损害患者需调整给药间隔，并监测肾功能；',
  '服药期间出现皮疹应停药并就医！',
  '本品应整粒吞服，不可咀嚼。\n',
  '🩺 特殊人群：孕妇及哺乳期妇女应在医师指导下使用。',
];

describe('evidence passages', () => {
  it('splits sentences at Chinese and ASCII ends, trimming space', () => {
    const text = '第一句。 第二句！\n第三句?第四';
    expect(sentenceSpans(text).map((s) => text.slice(s.start, s.end))).toEqual(['第一句。', '第二句！', '第三句?', '第四']);
  });

  it('keeps passages within the size limit, with exact offsets, covering every sentence', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: SENTENCES.length - 1 }), { minLength: 1, maxLength: 120 }), (picks) => {
        const text = picks.map((i) => SENTENCES[i]).join('');
        const passages = chunkDocument('d', { text });
        for (const p of passages) {
          expect(p.text).toBe(text.slice(p.start, p.end));
          expect(p.end - p.start).toBeLessThanOrEqual(400);
          expect(p.docId).toBe('d');
          expect(p.page).toBeNull();
        }
        for (const s of sentenceSpans(text)) {
          expect(passages.some((p) => p.start <= s.start && s.end <= p.end)).toBe(true);
        }
        expect(new Set(passages.map((p) => p.id)).size).toBe(passages.length);
      }),
      { numRuns: 60 },
    );
  });

  it('makes passages of about 150–400 characters with a small overlap', () => {
    const text = Array.from({ length: 60 }, (_, i) => SENTENCES[i % SENTENCES.length]).join('');
    const passages = chunkDocument('d', { text });
    expect(passages.length).toBeGreaterThan(3);
    for (const p of passages.slice(0, -1)) expect(p.text.length).toBeGreaterThanOrEqual(150);
    const overlaps = passages.slice(1).filter((p, i) => p.start < (passages[i]?.end ?? 0));
    expect(overlaps.length).toBeGreaterThan(0);
    for (const [i, p] of passages.slice(1).entries()) expect((passages[i]?.end ?? 0) - p.start).toBeLessThanOrEqual(80);
  });

  it('cuts an over-long sentence at a comma, never inside a surrogate pair', () => {
    const text = `${'头孢类抗生素过敏'.repeat(30)}，${'🩺'.repeat(300)}。`;
    const passages = chunkDocument('d', { text });
    for (const p of passages) {
      expect(p.end - p.start).toBeLessThanOrEqual(400);
      const c = text.charCodeAt(p.start);
      expect(c >= 0xdc00 && c <= 0xdfff).toBe(false);
    }
    expect(passages.map((p) => p.text).join('')).toBe(text);
  });

  it('gives each PDF passage the page it starts on, never crossing a page', () => {
    const page1 = '第一页：阿司匹林每日100mg。';
    const page2 = '第二页：华法林目标INR为2.0～3.0。';
    const text = `${page1}\n${page2}`;
    const passages = chunkDocument('pdf', { text, pages: [{ page: 1, start: 0 }, { page: 2, start: page1.length + 1 }] });
    expect(passages.map((p) => [p.page, p.text])).toEqual([
      [1, page1],
      [2, page2],
    ]);
  });
});
