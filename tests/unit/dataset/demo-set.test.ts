import { describe, expect, it } from 'vitest';
import { DEMO_SET, demoSetJsonl } from '../../../src/core/dataset/demo-set';
import { importDataset } from '../../../src/core/dataset/import-dataset';
import { ERROR_TYPES, SPECIALTIES, STYLES } from '../../../src/core/labels';

describe('built-in demo set', () => {
  it('has at least 40 texts, half correct, half with exactly one error whose offsets select the gold text', () => {
    expect(DEMO_SET.length).toBeGreaterThanOrEqual(40);
    const erroneous = DEMO_SET.filter((i) => i.hasError);
    expect(erroneous.length * 2).toBe(DEMO_SET.length);
    expect(new Set(DEMO_SET.map((i) => i.id)).size).toBe(DEMO_SET.length);
    for (const item of DEMO_SET) {
      if (!item.hasError) {
        expect(item.gold).toEqual([]);
        continue;
      }
      expect(item.gold).toHaveLength(1);
      const g = item.gold[0]!;
      expect(item.text.slice(g.start, g.end)).toBe(g.text);
      expect(item.text.indexOf(g.text)).toBe(item.text.lastIndexOf(g.text));
      expect(item.correction).toBeTruthy();
    }
  });

  it('covers all 8 error types, at least 5 specialties and all 4 styles, with 2–5 sentences a text', () => {
    expect(new Set(DEMO_SET.filter((i) => i.hasError).map((i) => i.errorType))).toEqual(new Set(ERROR_TYPES));
    const specialties = new Set(DEMO_SET.map((i) => i.specialty));
    expect(specialties.size).toBeGreaterThanOrEqual(5);
    for (const s of specialties) expect(SPECIALTIES).toContain(s);
    expect(new Set(DEMO_SET.map((i) => i.style))).toEqual(new Set(STYLES));
    for (const item of DEMO_SET) {
      const sentences = item.text.split(/[。？！]/).filter((s) => s.trim() !== '').length;
      expect(sentences).toBeGreaterThanOrEqual(2);
      expect(sentences).toBeLessThanOrEqual(5);
    }
  });

  it('round-trips through the JSONL writer and the importer', async () => {
    const r = await importDataset(demoSetJsonl(), { fileName: 'demo.jsonl' });
    expect(r.rejected).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.items).toEqual(DEMO_SET);
  });
});
