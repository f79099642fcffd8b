import { describe, expect, it } from 'vitest';
import { splitIntoChunks } from '../../../src/core/chunk';

describe('splitIntoChunks', () => {
  it('returns one chunk when the text fits', () => {
    expect(splitIntoChunks('高血压。', 100, 10)).toEqual([{ start: 0, end: 4, text: '高血压。' }]);
  });

  it('cuts at sentence ends, overlaps, covers the whole text and keeps offsets exact', () => {
    const sentences = Array.from({ length: 40 }, (_, i) => `第${i}句讲的是高血压的治疗${i % 3 === 0 ? '！' : i % 3 === 1 ? '？' : '；'}`);
    const text = sentences.join('') + '\n最后一句。';
    const chunks = splitIntoChunks(text, 120, 30);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks[0]?.start).toBe(0);
    expect(chunks[chunks.length - 1]?.end).toBe(text.length);
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i];
      if (!c) continue;
      expect(c.text).toBe(text.slice(c.start, c.end));
      expect(c.end - c.start).toBeLessThanOrEqual(120);
      if (i < chunks.length - 1) expect('！？；。\n').toContain(text[c.end - 1]);
      const next = chunks[i + 1];
      if (next) {
        expect(next.start).toBeLessThan(c.end); // overlap
        expect(next.start).toBeGreaterThan(c.start); // progress
        expect(c.end - next.start).toBeLessThanOrEqual(30);
        expect('！？；。\n').toContain(text[next.start - 1]); // starts at a sentence start
      }
    }
  });

  it('hard-cuts a text without sentence ends, never inside a surrogate pair', () => {
    const text = '😀'.repeat(100);
    const chunks = splitIntoChunks(text, 51, 10);
    for (const c of chunks) {
      expect(c.start % 2).toBe(0);
      expect(c.end % 2).toBe(0);
    }
    expect(chunks[chunks.length - 1]?.end).toBe(200);
  });

  it('keeps closing quote marks with their sentence', () => {
    const text = '他说：“请按时服药并定期复查血压和血糖以及肝肾功能。”' + '然后复查血常规'.repeat(10);
    const chunks = splitIntoChunks(text, 40, 0);
    expect(chunks[0]?.text).toBe('他说：“请按时服药并定期复查血压和血糖以及肝肾功能。”');
    expect(chunks[1]?.start).toBe(chunks[0]?.end);
  });
});
