import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildSegments, snapOffset } from '../../../../src/features/check/segments';

describe('buildSegments', () => {
  it('splits text into plain and highlighted segments with exact offsets', () => {
    const text = '阿司匹林每日最大剂量为40克，应餐后服用。';
    const start = text.indexOf('40克');
    const segs = buildSegments(text, [{ id: 'f1', start, end: start + 3 }]);
    expect(segs).toEqual([
      { start: 0, end: start, ids: [] },
      { start, end: start + 3, ids: ['f1'] },
      { start: start + 3, end: text.length, ids: [] },
    ]);
    expect(text.slice(segs[1]!.start, segs[1]!.end)).toBe('40克');
  });

  it('shifts by exactly two UTF-16 units when an emoji is put before the error', () => {
    const base = '胰岛素应口服给药。';
    const withEmoji = '😀' + base;
    const s = base.indexOf('口服');
    const a = buildSegments(base, [{ id: 'x', start: s, end: s + 2 }]).find((g) => g.ids.length);
    const b = buildSegments(withEmoji, [{ id: 'x', start: s + 2, end: s + 4 }]).find((g) => g.ids.length);
    expect(b!.start - a!.start).toBe(2);
    expect(b!.end - a!.end).toBe(2);
    expect(withEmoji.slice(b!.start, b!.end)).toBe('口服');
  });

  it('never cuts a surrogate pair: starts move back, ends move forward', () => {
    const text = 'a😀b';
    expect(snapOffset(text, 2, 'start')).toBe(1);
    expect(snapOffset(text, 2, 'end')).toBe(3);
    const segs = buildSegments(text, [{ id: 'e', start: 2, end: 2 }]);
    // An empty span inside a pair grows to the whole emoji rather than disappearing into half of it.
    expect(segs.find((g) => g.ids.length)).toEqual({ start: 1, end: 3, ids: ['e'] });
  });

  it('splits overlapping spans into segments that list every covering span', () => {
    const text = '0123456789';
    const segs = buildSegments(text, [
      { id: 'a', start: 1, end: 5 },
      { id: 'b', start: 3, end: 8 },
    ]);
    expect(segs).toEqual([
      { start: 0, end: 1, ids: [] },
      { start: 1, end: 3, ids: ['a'] },
      { start: 3, end: 5, ids: ['a', 'b'] },
      { start: 5, end: 8, ids: ['b'] },
      { start: 8, end: 10, ids: [] },
    ]);
  });

  it('ignores out-of-range and empty spans and handles empty text', () => {
    expect(buildSegments('', [{ id: 'a', start: 0, end: 3 }])).toEqual([]);
    expect(buildSegments('abc', [{ id: 'a', start: 5, end: 9 }, { id: 'b', start: 2, end: 1 }])).toEqual([
      { start: 0, end: 3, ids: [] },
    ]);
  });

  it('keeps a 200k-character text to a handful of segments', () => {
    const text = '高血压患者应长期规律服药。'.repeat(16_000);
    const spans = Array.from({ length: 50 }, (_, i) => ({ id: `f${i}`, start: i * 4000, end: i * 4000 + 3 }));
    const segs = buildSegments(text, spans);
    expect(segs.length).toBeLessThanOrEqual(101);
    expect(segs.reduce((n, s) => n + (s.end - s.start), 0)).toBe(text.length);
  });

  it('property: segments tile the text and each covers exactly the spans containing it', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(60), fc.nat(60)), { maxLength: 6 }),
        (text, raw) => {
          const spans = raw.map(([a, b], i) => ({ id: `s${i}`, start: Math.min(a, b), end: Math.max(a, b) }));
          const segs = buildSegments(text, spans);
          let cursor = 0;
          for (const seg of segs) {
            expect(seg.start).toBe(cursor);
            expect(seg.end).toBeGreaterThan(seg.start);
            cursor = seg.end;
            // No boundary inside a surrogate pair.
            expect(snapOffset(text, seg.start)).toBe(seg.start);
          }
          expect(cursor).toBe(text.length);
        },
      ),
    );
  });
});
