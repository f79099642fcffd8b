import { describe, expect, it } from 'vitest';
import { applyThreshold, check, chunkOverlap, DEFAULT_CHECK_OPTIONS, locatedFindings, SAMPLING_TEMPERATURE, unlocatedFindings, type CheckProgress } from '../../../src/core/check';
import type { FindingScorer } from '../../../src/core/gating';
import { splitIntoChunks } from '../../../src/core/chunk';
import { answerSchemaString, buildVerifierPrompt } from '../../../src/core/prompts';
import { isAbortError, MedfactError } from '../../../src/protocol/errors';
import type { GenerateParams } from '../../../src/protocol/engine';
import { createScriptedEngine } from '../../kit/scripted-engine';

const TEXT = '乙型肝炎病毒属于RNA病毒，主要经血液、母婴和性接触传播。对乙酰氨基酚成人每日最大剂量不超过10克。';

type E = { quote: string; type?: string; med?: boolean; fix?: string; why?: string };
function answer(errors: E[], hasError = errors.length > 0, think = true): string {
  const json = JSON.stringify({ has_error: hasError, errors: errors.map((e) => ({ quote: e.quote, type: e.type ?? 'conceptual', med: e.med ?? false, fix: e.fix ?? '', why: e.why ?? '' })) });
  return think ? `<think>\n\n</think>\n\n${json}` : json;
}

/** The user text the verifier saw in a call. */
function userText(p: GenerateParams): string {
  const c = p.messages[p.messages.length - 1]?.content ?? '';
  return c.slice(c.indexOf('<<<\n') + 4, c.lastIndexOf('\n>>>'));
}

const base = { verifierId: 'fixture-verifier', options: {} };

describe('check: single answer', () => {
  it('returns the verdict, located spans and provenance', async () => {
    const engine = createScriptedEngine([answer([{ quote: 'RNA病毒', fix: 'DNA病毒', why: '乙肝病毒是DNA病毒' }, { quote: '10克', med: true, fix: '4克' }])]);
    const r = await check(TEXT, { ...base, verifier: engine });
    expect(r.verdict).toBe('has_error');
    expect(r.status).toBe('complete');
    const located = locatedFindings(r);
    expect(located.map((f) => TEXT.slice(f.span.start, f.span.end)).sort()).toEqual(['10克', 'RNA病毒']);
    // Critical (medication) first.
    expect(r.findings[0]?.quote).toBe('10克');
    expect(r.findings[0]?.severity).toBe('critical');
    expect(r.findings.every((f) => f.kept && f.rewardScore === null && f.support === 1 && f.confidence === 1)).toBe(true);
    const prompt = buildVerifierPrompt(TEXT, 'zero-shot');
    expect(r).toMatchObject({ promptId: prompt.promptId, promptVersion: prompt.promptVersion, promptHash: prompt.promptHash, answerFormat: 'answer-v1', chunks: 1, models: { verifier: 'fixture-verifier', reward: null } });
    expect(r.tokens.completion).toBeGreaterThan(0);
    expect(r.tokens.prompt).toBeGreaterThan(0);
    expect(r.samples).toHaveLength(1);
    expect(r.samples[0]?.parse.repairs).toEqual(['think_block']);
    for (const k of ['totalMs', 'generateMs', 'parseMs', 'alignMs', 'scoreMs'] as const) expect(r.timings[k]).toBeGreaterThanOrEqual(0);
    // JSON-serialisable (stored in IndexedDB and exported).
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('no error → no_error with no findings', async () => {
    const r = await check(TEXT, { ...base, verifier: createScriptedEngine([answer([], false)]) });
    expect(r.verdict).toBe('no_error');
    expect(r.findings).toEqual([]);
  });

  it('keeps a fragment that is not in the text as unlocated, never highlighted', async () => {
    const r = await check(TEXT, { ...base, verifier: createScriptedEngine([answer([{ quote: '青霉素类抗生素' }])]) });
    expect(r.verdict).toBe('has_error');
    expect(unlocatedFindings(r).map((f) => f.quote)).toEqual(['青霉素类抗生素']);
    expect(locatedFindings(r)).toEqual([]);
  });

  it('passes options to the engine: schema, thinking, tokens', async () => {
    const engine = createScriptedEngine([answer([], false)]);
    await check(TEXT, { ...base, verifier: engine, options: { useJsonSchema: true, thinking: true, maxTokens: 300, variant: 'few-shot', seed: 5 } });
    const p = engine.generateCalls[0];
    expect(p?.jsonSchema).toBe(answerSchemaString());
    expect(p?.thinking).toBe(true);
    expect(p?.maxTokens).toBe(300);
    expect(p?.seed).toBe(5);
    expect(p?.messages.filter((m) => m.role === 'assistant').length).toBeGreaterThan(0);
  });

  it('offsets stay exact with emoji, HTML tags and full-width digits', async () => {
    const text = '<p>😷 患者服用阿司匹林１０００ｍｇ，每日三次。</p>';
    const engine = createScriptedEngine([answer([{ quote: '阿司匹林1000mg', med: true }, { quote: '</p>' }])]);
    const r = await check(text, { ...base, verifier: engine });
    const slices = locatedFindings(r).map((f) => text.slice(f.span.start, f.span.end));
    expect(slices).toEqual(['阿司匹林１０００ｍｇ', '</p>']);
  });
});

describe('check: bad input and failures', () => {
  it('rejects empty or blank text with BAD_INPUT and a message that says what to do', async () => {
    const engine = createScriptedEngine(['x']);
    for (const t of ['', '   \n\t\u3000']) {
      const err = await check(t, { ...base, verifier: engine }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MedfactError);
      expect((err as MedfactError).code).toBe('BAD_INPUT');
      expect((err as MedfactError).message).toMatch(/paste/i);
    }
    expect(engine.generateCalls).toHaveLength(0);
  });

  it('rejects impossible options with BAD_CONFIG', async () => {
    const engine = createScriptedEngine(['x']);
    await expect(check(TEXT, { ...base, verifier: engine, options: { samples: 0 } })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
    await expect(check(TEXT, { ...base, verifier: engine, options: { threshold: 2 } })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
  });

  it('an unreadable answer gives status unreadable and verdict incomplete, raw text kept', async () => {
    const r = await check(TEXT, { ...base, verifier: createScriptedEngine(['抱歉，我无法回答。']) });
    expect(r.status).toBe('unreadable');
    expect(r.verdict).toBe('incomplete');
    expect(r.samples[0]?.raw).toBe('抱歉，我无法回答。');
  });

  it('an answer cut by the token limit is kept as partial', async () => {
    const full = answer([{ quote: 'RNA病毒', fix: 'DNA病毒', why: '乙肝病毒是DNA病毒' }, { quote: '10克', med: true, fix: '4克', why: '成人每日最大剂量为4克，过量可致肝损伤' }], true, false);
    const cut = full.indexOf('10克') + 1; // inside the second quote
    const engine = createScriptedEngine([full], { charsPerToken: 1 });
    const r = await check(TEXT, { ...base, verifier: engine, options: { maxTokens: cut } });
    expect(r.samples[0]?.finishReason).toBe('length');
    expect(r.status).toBe('partial');
    expect(r.samples[0]?.parse.repairs).toContain('truncated');
    expect(r.findings.map((f) => f.quote)).toEqual(['RNA病毒']);
    expect(r.verdict).toBe('has_error');
  });

  it('engine errors propagate as they are', async () => {
    const engine = createScriptedEngine(['x'], { generateError: new MedfactError('OUT_OF_MEMORY', 'oom') });
    await expect(check(TEXT, { ...base, verifier: engine })).rejects.toMatchObject({ code: 'OUT_OF_MEMORY' });
  });
});

describe('check: streaming and cancellation', () => {
  it('streams progress through the stages with growing text and tokens', async () => {
    const text = answer([{ quote: 'RNA病毒' }]);
    const events: CheckProgress[] = [];
    await check(TEXT, { ...base, verifier: createScriptedEngine([text]), onPartial: (p) => events.push(p) });
    const stages = [...new Set(events.map((e) => e.stage))];
    expect(stages).toEqual(['prompt', 'generate', 'parse', 'align', 'done']);
    const gen = events.filter((e) => e.stage === 'generate');
    expect(gen[gen.length - 1]?.streamedText).toBe(text);
    for (let i = 1; i < gen.length; i++) {
      expect(gen[i]?.tokens).toBeGreaterThan(gen[i - 1]?.tokens ?? 0);
      expect(gen[i]?.streamedText.startsWith(gen[i - 1]?.streamedText ?? '')).toBe(true);
    }
    const aligned = events.find((e) => e.stage === 'align');
    expect(aligned?.findings?.map((f) => f.quote)).toEqual(['RNA病毒']);
    expect(events.every((e) => e.chunkCount === 1 && e.sampleCount === 1)).toBe(true);
  });

  it('cancels mid-generation with AbortError', async () => {
    const ac = new AbortController();
    const engine = createScriptedEngine([answer([{ quote: 'RNA病毒' }])], { chunkDelayMs: 1 });
    let chunks = 0;
    const err = await check(TEXT, {
      ...base,
      verifier: engine,
      signal: ac.signal,
      onPartial: (p) => {
        if (p.stage === 'generate' && ++chunks === 3) ac.abort();
      },
    }).catch((e: unknown) => e);
    expect(isAbortError(err)).toBe(true);
    expect((err as MedfactError).code).toBe('ABORTED');
  });

  it('an already aborted signal rejects before any generation', async () => {
    const engine = createScriptedEngine(['x']);
    const ac = new AbortController();
    ac.abort();
    await expect(check(TEXT, { ...base, verifier: engine, signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(engine.generateCalls).toHaveLength(0);
  });

  it('cancels during scoring', async () => {
    const ac = new AbortController();
    const scorer: FindingScorer = {
      id: 'slow',
      score: async () => {
        ac.abort();
        return 0.9;
      },
    };
    const engine = createScriptedEngine([answer([{ quote: 'RNA病毒' }])]);
    await expect(check(TEXT, { ...base, verifier: engine, scorer, signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('check: reward gating', () => {
  const twoErrors = answer([{ quote: 'RNA病毒', fix: 'DNA病毒' }, { quote: '血液', fix: '粪口' }]);
  const scorer: FindingScorer = { id: 'fake-reward', score: async ({ quote }) => (quote === 'RNA病毒' ? 0.9 : 0.2) };

  it('keeps only findings whose score reaches the threshold; all findings are returned', async () => {
    const r = await check(TEXT, { ...base, verifier: createScriptedEngine([twoErrors]), scorer });
    expect(r.models.reward).toBe('fake-reward');
    expect(r.findings.map((f) => [f.quote, f.rewardScore, f.kept])).toEqual([
      ['RNA病毒', 0.9, true],
      ['血液', 0.2, false],
    ]);
    expect(r.verdict).toBe('has_error');
  });

  it('scores all findings in one scoreMany call and still reports scoring progress per finding', async () => {
    const calls: string[][] = [];
    const batch: FindingScorer = {
      id: 'batch',
      score: scorer.score,
      scoreMany: async (questions, _signal, onProgress) => {
        calls.push(questions.map((q) => q.quote));
        const out: number[] = [];
        for (const q of questions) {
          out.push(await scorer.score(q));
          onProgress?.(out.length);
        }
        return out;
      },
    };
    const progress: CheckProgress[] = [];
    const r = await check(TEXT, { ...base, verifier: createScriptedEngine([twoErrors]), scorer: batch, onPartial: (p) => progress.push(p) });
    expect(calls).toEqual([['RNA病毒', '血液']]);
    // The same progress the one-by-one loop gave: "scoring finding i of n" before each finding.
    expect(progress.filter((p) => p.stage === 'score').map((p) => [p.scored, p.toScore])).toEqual([[0, 2], [1, 2]]);
    const single = await check(TEXT, { ...base, verifier: createScriptedEngine([twoErrors]), scorer });
    expect(r.findings).toEqual(single.findings);
  });

  it('turns over-criticism into no_error when nothing passes, and the slider brings it back', async () => {
    const low: FindingScorer = { id: 'strict', score: async () => 0.1 };
    const r = await check(TEXT, { ...base, verifier: createScriptedEngine([twoErrors]), scorer: low });
    expect(r.verifierVerdict).toBe('has_error');
    expect(r.verdict).toBe('no_error');
    expect(r.findings.every((f) => !f.kept)).toBe(true);
    const relaxed = applyThreshold(r, 0.05);
    expect(relaxed.verdict).toBe('has_error');
    expect(relaxed.findings.every((f) => f.kept)).toBe(true);
    expect(relaxed.threshold).toBe(0.05);
    expect(r.findings.every((f) => !f.kept)).toBe(true); // pure: the original is untouched
  });

  it('safety veto: a medication finding is kept on its safety score', async () => {
    const s: FindingScorer = { id: 'r', score: async ({ criterion }) => (criterion === 'medication_safety' ? 0.8 : 0.1) };
    const r = await check(TEXT, { ...base, verifier: createScriptedEngine([answer([{ quote: '10克', med: true, fix: '4克' }, { quote: 'RNA病毒' }])]), scorer: s });
    expect(r.findings.map((f) => [f.quote, f.severity, f.kept])).toEqual([
      ['10克', 'critical', true],
      ['RNA病毒', 'normal', false],
    ]);
  });

  it('without a scorer the verdict is the verifier\'s own', async () => {
    const r = await check(TEXT, { ...base, verifier: createScriptedEngine([answer([], true)]) });
    expect(r.verdict).toBe('has_error');
    expect(applyThreshold(r, 0.99).verdict).toBe('has_error');
  });
});

describe('check: self-consistency', () => {
  it('K samples: support is the share of samples, extra samples are sampled', async () => {
    const engine = createScriptedEngine([
      answer([{ quote: 'RNA病毒' }, { quote: '10克', med: true }]),
      answer([{ quote: 'RNA病毒' }]),
      answer([{ quote: '属于RNA病毒' }]),
    ]);
    const r = await check(TEXT, { ...base, verifier: engine, options: { samples: 3, seed: 1 } });
    expect(engine.generateCalls.map((c) => c.temperature)).toEqual([0, SAMPLING_TEMPERATURE, SAMPLING_TEMPERATURE]);
    expect(engine.generateCalls.map((c) => c.seed)).toEqual([1, 2, 3]);
    const rna = r.findings.find((f) => f.quote === 'RNA病毒');
    expect(rna && TEXT.slice(rna.span?.start, rna.span?.end)).toBe('RNA病毒');
    expect(rna?.support).toBe(1);
    const dose = r.findings.find((f) => f.quote === '10克');
    expect(dose?.support).toBeCloseTo(1 / 3);
    // No scorer: confidence = support; the balanced threshold drops the minority finding.
    expect(dose?.kept).toBe(false);
    expect(rna?.kept).toBe(true);
    expect(r.findings).toHaveLength(2);
  });

  it('combines support with the reward score', async () => {
    const engine = createScriptedEngine([answer([{ quote: 'RNA病毒' }]), answer([]), answer([])]);
    const r = await check(TEXT, { ...base, verifier: engine, scorer: { id: 's', score: async () => 0.9 }, options: { samples: 3 } });
    expect(r.findings[0]?.confidence).toBeCloseTo(0.5 * (1 / 3) + 0.5 * 0.9);
  });
});

describe('check: long texts', () => {
  const sentences = Array.from({ length: 30 }, (_, i) => `第${i + 1}条：高血压患者应规律服用降压药物并监测血压。`);
  const long = sentences.join('');

  it('splits into overlapping chunks, maps offsets back and merges spans found twice', async () => {
    const chunks = splitIntoChunks(long, 300, chunkOverlap(300));
    const [c0, c1] = chunks;
    // A sentence that lies in the overlap of the first two chunks.
    const target = sentences.map((s) => s.slice(0, 12)).find((q) => long.indexOf(q) >= (c1?.start ?? 0) && long.indexOf(q) + q.length <= (c0?.end ?? 0));
    expect(target).toBeDefined();
    const quote = target ?? '';
    const engine = createScriptedEngine((params) => (userText(params).includes(quote) ? answer([{ quote, fix: '改正' }]) : answer([], false)));
    const r = await check(long, { ...base, verifier: engine, options: { contextChars: 300 } });
    expect(r.chunks).toBe(chunks.length);
    expect(r.chunks).toBeGreaterThan(2);
    expect(engine.generateCalls).toHaveLength(r.chunks);
    // Both chunks saw it and reported it ...
    expect(engine.generateCalls.filter((c) => userText(c).includes(quote))).toHaveLength(2);
    // ... and it is one finding at its global place.
    const located = locatedFindings(r);
    expect(located).toHaveLength(1);
    expect(located[0]?.span.start).toBe(long.indexOf(quote));
    expect(long.slice(located[0]?.span.start, located[0]?.span.end)).toBe(quote);
    expect(located[0]?.support).toBe(1);
    expect(r.verdict).toBe('has_error');
    for (const c of engine.generateCalls) expect(long.includes(userText(c))).toBe(true);
  });

  it('places a span found in a later chunk at its global offset', async () => {
    const target = '第28条：高血压患者';
    const engine = createScriptedEngine((params) => (userText(params).includes(target) ? answer([{ quote: target }]) : answer([], false)));
    const r = await check(long, { ...base, verifier: engine, options: { contextChars: 300 } });
    const f = locatedFindings(r)[0];
    expect(f?.span.start).toBe(long.indexOf(target));
    expect(long.slice(f?.span.start, f?.span.end)).toBe(target);
  });
});

describe('defaults', () => {
  it('are sensible and frozen', () => {
    expect(DEFAULT_CHECK_OPTIONS.samples).toBe(1);
    expect(Object.isFrozen(DEFAULT_CHECK_OPTIONS)).toBe(true);
  });
});
