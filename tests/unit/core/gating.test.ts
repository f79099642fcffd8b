import { describe, expect, it } from 'vitest';
import { calibrateThreshold, contextAround, engineScorer, scoreFinding, scoreFindings, severityOf, THRESHOLD_PRESETS, type FindingScorer } from '../../../src/core/gating';
import type { ScoreParams } from '../../../src/protocol/engine';
import { createScriptedEngine } from '../../kit/scripted-engine';

/** Deterministic pseudo-random numbers (no Math.random in tests). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('severityOf', () => {
  it('marks medication errors and wrong populations critical', () => {
    expect(severityOf({ medication: true, quote: '每日一次' })).toBe('critical');
    expect(severityOf({ medication: false, quote: '孕妇可以放心服用' })).toBe('critical');
    expect(severityOf({ medication: false, quote: '每次500mg' })).toBe('critical');
    expect(severityOf({ medication: false, quote: 'RNA病毒', correction: 'DNA病毒' })).toBe('normal');
  });
});

describe('scoreFinding', () => {
  it('scores critical findings against the safety criterion too, which can only raise the score', async () => {
    const seen: string[] = [];
    const scorer: FindingScorer = {
      id: 'fake',
      score: async ({ criterion }) => {
        seen.push(criterion);
        return criterion === 'medication_safety' ? 0.9 : 0.2;
      },
    };
    const input = { text: 't', span: null, quote: '10克', type: 'conceptual' as const, correction: '4克' };
    expect((await scoreFinding(scorer, input, 'critical')).score).toBe(0.9);
    expect(seen).toEqual(['factual_correctness', 'medication_safety']);
    expect((await scoreFinding(scorer, input, 'normal')).score).toBe(0.2);
  });
});

describe('calibrateThreshold', () => {
  // Synthetic set with a known best threshold: errors score in [0.6, 1), correct items in [0, 0.4)
  // except a few planted overlaps.
  const rnd = lcg(7);
  const items = [
    ...Array.from({ length: 200 }, () => ({ score: 0.6 + 0.4 * rnd(), gold: true })),
    ...Array.from({ length: 200 }, () => ({ score: 0.4 * rnd(), gold: false })),
  ];

  it('max-f1 finds the separating threshold on a separable set', () => {
    const r = calibrateThreshold(items, { kind: 'max-f1' });
    expect(r.f1).toBe(1);
    expect(r.threshold).toBeGreaterThanOrEqual(0.6);
    expect(r.overCriticism).toBe(0);
    // Every true error is kept, every correct item dropped at that threshold.
    expect(items.filter((i) => i.gold).every((i) => i.score >= r.threshold)).toBe(true);
    expect(items.filter((i) => !i.gold).every((i) => i.score < r.threshold)).toBe(true);
  });

  it('max-f1 on an overlapping set picks the known optimum', () => {
    // 10 errors at 0.9, 10 correct at 0.1, and at 0.5: 2 errors and 8 correct.
    const set = [
      ...Array.from({ length: 10 }, () => ({ score: 0.9, gold: true })),
      ...Array.from({ length: 10 }, () => ({ score: 0.1, gold: false })),
      ...Array.from({ length: 2 }, () => ({ score: 0.5, gold: true })),
      ...Array.from({ length: 8 }, () => ({ score: 0.5, gold: false })),
    ];
    // t=0.9: P=1, R=10/12, F1=0.909; t=0.5: P=12/20, R=1, F1=0.75.
    const r = calibrateThreshold(set, { kind: 'max-f1' });
    expect(r.threshold).toBe(0.9);
    expect(r.precision).toBe(1);
    expect(r.recall).toBeCloseTo(10 / 12);
  });

  it('meets a target over-criticism rate with the best recall', () => {
    // correct items at 0.05..0.95; errors all at 0.8 and 0.3.
    const set = [
      ...Array.from({ length: 10 }, (_, i) => ({ score: 0.05 + i * 0.1, gold: false })),
      ...Array.from({ length: 5 }, () => ({ score: 0.8, gold: true })),
      ...Array.from({ length: 5 }, () => ({ score: 0.3, gold: true })),
    ];
    const r = calibrateThreshold(set, { kind: 'over-criticism', maxRate: 0.2 });
    // Flagging the 2 correct items at 0.85 and 0.95 is 20%; at 0.8 the 5 errors join; next correct at 0.75 would be 30%.
    expect(r.threshold).toBe(0.8);
    expect(r.overCriticism).toBeCloseTo(0.2);
    expect(r.recall).toBeCloseTo(0.5);
  });

  it('flags nothing when no threshold meets the target', () => {
    const r = calibrateThreshold([{ score: 0.9, gold: false }, { score: 0.5, gold: true }], { kind: 'over-criticism', maxRate: 0 });
    expect(r.threshold).toBeGreaterThan(0.9);
    expect(r.recall).toBe(0);
    expect(r.overCriticism).toBe(0);
  });

  it('presets order high recall < balanced < high precision', () => {
    expect(THRESHOLD_PRESETS.high_recall).toBeLessThan(THRESHOLD_PRESETS.balanced);
    expect(THRESHOLD_PRESETS.balanced).toBeLessThan(THRESHOLD_PRESETS.high_precision);
  });
});

describe('engineScorer', () => {
  const text = '患者有青霉素过敏史。'.repeat(100) + '阿莫西林可安全用于青霉素过敏者。' + '随访三个月。'.repeat(100);
  const start = text.indexOf('可安全用于');
  const span = { start, end: start + 5 };

  it('judge mode asks a yes/no question about the text around the span', async () => {
    const engine = createScriptedEngine([], { score: 0.83 });
    const scorer = engineScorer(engine, 'judge', { id: 'judge-model' });
    const s = await scorer.score({ text, span, quote: '可安全用于', type: 'conceptual', correction: '禁用于', criterion: 'factual_correctness' });
    expect(s).toBe(0.83);
    expect(scorer.id).toBe('judge-model');
    const call = engine.scoreCalls[0] as Extract<ScoreParams, { kind: 'judge' }>;
    expect(call.kind).toBe('judge');
    expect(call.yes).toBe('是');
    expect(call.no).toBe('否');
    const user = call.messages.find((m) => m.role === 'user')?.content ?? '';
    expect(user).toContain('「可安全用于」');
    expect(user).toContain(contextAround(text, span));
    expect(user.length).toBeLessThan(text.length); // only the neighbourhood is sent
  });

  it('classify mode marks the span and pairs it with the correction', async () => {
    const engine = createScriptedEngine([], { score: () => 1.7 });
    const scorer = engineScorer(engine, 'classify');
    const s = await scorer.score({ text, span, quote: '可安全用于', type: 'conceptual', correction: '禁用于', criterion: 'medication_safety' });
    expect(s).toBe(1); // clamped
    const call = engine.scoreCalls[0] as Extract<ScoreParams, { kind: 'classify' }>;
    expect(call.text).toContain('阿莫西林【可安全用于】青霉素过敏者');
    expect(call.textPair).toBe('可安全用于 → 禁用于');
  });

  it('honours an aborted signal', async () => {
    const engine = createScriptedEngine([], { score: 0.5 });
    const ac = new AbortController();
    ac.abort();
    await expect(engineScorer(engine, 'judge').score({ text, span, quote: 'x', type: 'conceptual', correction: '', criterion: 'factual_correctness' }, ac.signal)).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('scoreFindings (batched reward scoring)', () => {
  const input = (quote: string) => ({ text: `文本${quote}文本`, span: { start: 2, end: 2 + quote.length }, quote, type: 'conceptual' as const, correction: '' });
  const findings = [
    { input: input('甲'), severity: 'normal' as const },
    { input: input('乙'), severity: 'critical' as const },
    { input: input('丙'), severity: 'normal' as const },
  ];
  const factual: Record<string, number> = { 甲: 0.3, 乙: 0.4, 丙: 0.8 };
  const safetyRaises = (q: { quote: string; criterion: string }) => (q.criterion === 'medication_safety' ? 0.95 : (factual[q.quote] ?? 0));

  it('gives each finding what scoreFinding gives it, asking all questions in one scoreMany call', async () => {
    const calls: string[][] = [];
    const progress: number[] = [];
    const scorer: FindingScorer = {
      id: 'batch',
      score: async (q) => safetyRaises(q),
      scoreMany: async (qs, _signal, onProgress) => {
        calls.push(qs.map((q) => `${q.quote}:${q.criterion}`));
        return qs.map((q, i) => (onProgress?.(i + 1), safetyRaises(q)));
      },
    };
    const batched = await scoreFindings(scorer, findings, undefined, (n) => progress.push(n));
    const single = await Promise.all(findings.map((f) => scoreFinding({ id: 'one', score: async (q) => safetyRaises(q) }, f.input, f.severity)));
    expect(batched).toEqual(single);
    expect(batched.map((r) => r.score)).toEqual([0.3, 0.95, 0.8]);
    expect(calls).toEqual([['甲:factual_correctness', '乙:factual_correctness', '乙:medication_safety', '丙:factual_correctness']]);
    // Findings fully scored after each question: 甲 after the first, 乙 after its second criterion.
    expect(progress).toEqual([1, 1, 2, 3]);
  });

  it('falls back to score one question at a time for scorers without scoreMany', async () => {
    const asked: string[] = [];
    const scorer: FindingScorer = { id: 'one', score: async (q) => (asked.push(q.quote), safetyRaises(q)) };
    expect((await scoreFindings(scorer, findings)).map((r) => r.score)).toEqual([0.3, 0.95, 0.8]);
    expect(asked).toEqual(['甲', '乙', '乙', '丙']);
  });

  it('engineScorer sends the questions as one scoreBatch with the params score would send', async () => {
    const one = createScriptedEngine([], { score: (p) => (p.kind === 'classify' && p.text.includes('【乙】') ? 0.7 : 0.2) });
    const many = createScriptedEngine([], { score: (p) => (p.kind === 'classify' && p.text.includes('【乙】') ? 0.7 : 0.2) });
    const batches: ScoreParams[][] = [];
    const batchingEngine = { ...many, scoreBatch: async (items: ScoreParams[]) => (batches.push(items), Promise.all(items.map((p) => many.score(p)))) };
    const single = [];
    for (const f of findings) single.push(await scoreFinding(engineScorer(one, 'classify'), f.input, f.severity));
    const batched = await scoreFindings(engineScorer(batchingEngine, 'classify'), findings);
    expect(batched).toEqual(single);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual(one.scoreCalls);
  });

  it('refuses a scorer that answers the wrong number of questions', async () => {
    const scorer: FindingScorer = { id: 'short', score: async () => 0.5, scoreMany: async () => [0.5] };
    await expect(scoreFindings(scorer, findings)).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
