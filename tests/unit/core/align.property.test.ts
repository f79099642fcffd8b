import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignQuote } from '../../../src/core/align';
import { normalizeForMatch } from '../../../src/core/normalize';

// Characters of realistic Chinese medical text, with the forms models swap.
const ALPHABET = [
  ...'患者服用阿司匹林每日三次剂量为克毫升高血压糖尿病儿童孕妇禁用肝肾功能不全者慎用治疗后好转复查',
  ...'，。；！？、：“”‘’「」（）…',
  ...'0123456789１２３mgML',
  ' ', '\n', '\u3000', '😀', '🩺',
];

/** Changes that normalisation undoes (full/half width, white space, quote marks, ellipses, case). */
function perturbChar(ch: string, choice: number): string {
  const cp = ch.codePointAt(0) ?? 0;
  switch (choice % 6) {
    case 0: // full-width ↔ half-width
      if (cp >= 0x21 && cp <= 0x7e) return String.fromCodePoint(cp + 0xfee0);
      if (cp >= 0xff01 && cp <= 0xff5e) return String.fromCodePoint(cp - 0xfee0);
      if (ch === '。') return '.';
      if (ch === '，') return ',';
      return ch;
    case 1: // white space added or removed
      if (/\s/.test(ch)) return '';
      return `${ch} `;
    case 2: // quote marks swapped
      if ('“”‘’「」'.includes(ch)) return ['"', '“', '」', "'"][choice % 4] ?? '"';
      return ch;
    case 3: // ellipsis
      if (ch === '…') return '...';
      return ch;
    case 4: // case
      return /[a-z]/i.test(ch) ? (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()) : ch;
    default:
      return ch;
  }
}

const textArb = fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 160 });

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

describe('alignQuote properties', () => {
  it('a perturbed fragment of the text is found at a place whose slice normalises to the fragment', () => {
    fc.assert(
      fc.property(textArb, fc.nat(), fc.nat(), fc.array(fc.nat(), { minLength: 160, maxLength: 160 }), (chars, a, b, choices) => {
        const text = chars.join('');
        const i = a % chars.length;
        const j = i + 1 + (b % (chars.length - i));
        const fragmentChars = chars.slice(i, j);
        const fragment = fragmentChars.join('');
        const perturbed = fragmentChars.map((ch, k) => perturbChar(ch, choices[k] ?? 0)).join('');
        const target = normalizeForMatch(fragment);
        const r = alignQuote(text, perturbed);
        if (target.length === 0) return; // nothing to find (white space only)
        expect(r).not.toBeNull();
        if (!r) return;
        const slice = text.slice(r.start, r.end);
        expect(normalizeForMatch(slice)).toBe(target);
        expect(r.approximate).toBe(false);
        expect(r.exact).toBe(slice === perturbed);
        // whole code points only
        expect(/^[\uDC00-\uDFFF]/.test(slice) || /[\uD800-\uDBFF]$/.test(slice)).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('any quote is either not found or placed where it (almost) is: never a wrong place', () => {
    fc.assert(
      fc.property(textArb, fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 20 }), (chars, q) => {
        const text = chars.join('');
        const quote = q.join('');
        const r = alignQuote(text, quote);
        if (!r) return;
        const slice = text.slice(r.start, r.end);
        expect(r.start).toBeGreaterThanOrEqual(0);
        expect(r.end).toBeLessThanOrEqual(text.length);
        expect(r.end).toBeGreaterThan(r.start);
        if (r.exact) expect(slice).toBe(quote);
        const want = normalizeForMatch(quote.replace(/^[\s"'“”‘’「」『』《》〈〉<>()（）[\]【】…⋯.。,，:：;；]+|[\s"'“”‘’「」『』《》〈〉<>()（）[\]【】…⋯.。,，:：;；]+$/gu, ''));
        const got = normalizeForMatch(slice);
        if (r.approximate) {
          expect(levenshtein(got, want)).toBeLessThanOrEqual(Math.floor(want.length / 5));
        } else {
          expect([normalizeForMatch(quote), want]).toContain(got);
        }
      }),
      { numRuns: 400 },
    );
  });
});
