import { describe, expect, it } from 'vitest';
import { check, type EvidenceSource } from '../../../../src/core/check';
import { LexicalIndex, type CitedPassage } from '../../../../src/core/evidence';
import { engineScorer } from '../../../../src/core/gating';
import type { GenerateParams } from '../../../../src/protocol/engine';
import { createScriptedEngine } from '../../../kit/scripted-engine';

const LIBRARY: (CitedPassage & { rank: number })[] = [
  { id: 'warf:0', docId: 'warf', title: '华法林用药指导', page: 2, text: '华法林的目标INR为2.0～3.0。', rank: 0 },
  { id: 'asp:0', docId: 'asp', title: '阿司匹林说明书', page: null, text: '预防心梗时阿司匹林每日100mg。', rank: 0 },
  { id: 'vac:0', docId: 'vac', title: '疫苗', page: null, text: '乙肝疫苗全程接种3剂。', rank: 0 },
];

/** Evidence from a real lexical index over the little library. */
function source(): EvidenceSource {
  const index = new LexicalIndex();
  index.add(LIBRARY.map((p) => ({ id: p.id, text: `${p.title}\n${p.text}` })));
  return {
    libraryHash: 'lib-1',
    retrieve: async (chunkText) =>
      index.search(chunkText, 2).map((h, i) => ({ ...(LIBRARY.find((p) => p.id === h.id) as CitedPassage), rank: i + 1 })),
  };
}

const TEXT = '华法林抗凝的目标INR为4.0～5.0。阿司匹林预防心梗每日100mg。';

describe('grounded check', () => {
  it('gives the verifier numbered passages and maps each finding’s citations to passage ids', async () => {
    const seen: GenerateParams[] = [];
    const engine = createScriptedEngine((params) => {
      seen.push(params);
      const user = params.messages.at(-1)!.content;
      const num = Number(/\[(\d)\]《华法林用药指导》/.exec(user)![1]);
      return JSON.stringify({ has_error: true, errors: [{ quote: '4.0～5.0', type: 'conceptual', med: true, fix: '2.0～3.0', why: `见[${num}]`, ev: [num, 9] }] });
    });
    const r = await check(TEXT, { verifier: engine, verifierId: 'v', options: { useJsonSchema: true }, evidence: source() });
    expect(seen[0]!.jsonSchema).toContain('"ev"');
    expect(r.promptId).toBe('medfact-verifier/grounded');
    expect(r.answerFormat).toBe('answer-v2');
    expect(r.evidence!.libraryHash).toBe('lib-1');
    expect(r.evidence!.passages.map((p) => p.id)).toEqual(expect.arrayContaining(['warf:0', 'asp:0']));
    expect(r.evidence!.byChunk).toHaveLength(1);
    const [f] = r.findings;
    expect(f!.quote).toBe('4.0～5.0');
    expect(f!.evidence).toEqual(['warf:0']);
  });

  it('records an empty citation list for a finding that cites nothing, and leaves ungrounded checks unchanged', async () => {
    const answer = JSON.stringify({ has_error: true, errors: [{ quote: '100mg', type: 'conceptual', med: true, fix: '75mg', why: '常识' }] });
    const grounded = await check(TEXT, { verifier: createScriptedEngine([answer]), verifierId: 'v', options: {}, evidence: source() });
    expect(grounded.findings[0]!.evidence).toEqual([]);
    const plain = await check(TEXT, { verifier: createScriptedEngine([answer]), verifierId: 'v', options: {} });
    expect(plain.findings[0]).not.toHaveProperty('evidence');
    expect(plain).not.toHaveProperty('evidence');
    expect(plain.answerFormat).toBe('answer-v1');
  });
});

describe('grounded criterion in reward gating', () => {
  // Two findings: one cites the passage stating the correct fact (it contradicts the text), one cites a passage
  // that says exactly what the text says (it supports the statement, so the finding is over-criticism).
  const ANSWER = JSON.stringify({
    has_error: true,
    errors: [
      { quote: '4.0～5.0', type: 'conceptual', med: true, fix: '2.0～3.0', why: '见资料', ev: [1] },
      { quote: '每日100mg', type: 'conceptual', med: true, fix: '每日300mg', why: '见资料', ev: [2] },
    ],
  });
  const FIXED: CitedPassage[] = [
    { id: 'warf:0', docId: 'warf', title: '华法林用药指导', page: 2, text: '华法林的目标INR为2.0～3.0。', rank: 1 },
    { id: 'asp:0', docId: 'asp', title: '阿司匹林说明书', page: null, text: '预防心梗时阿司匹林每日100mg。', rank: 2 },
  ];
  const fixedSource: EvidenceSource = { libraryHash: 'lib-2', retrieve: async () => FIXED };

  /**
   * FAKE judge (stands in for the reward model): the factual and safety criteria always say 0.9; the grounded
   * criterion says yes (0.9) when the cited passages state the correction and not the flagged words, else 0.1.
   */
  const judge = () =>
    createScriptedEngine([ANSWER], {
      score: (params) => {
        if (params.kind !== 'judge') return 0.5;
        const user = params.messages.at(-1)!.content;
        if (!user.includes('依据一致性')) return 0.9;
        const quote = /被指出的片段：「(.*)」/.exec(user)![1]!;
        const fix = /建议改正：(.*)/.exec(user)![1]!;
        const cited = user.slice(user.indexOf('核查员引用的参考资料'));
        return cited.includes(fix) && !cited.includes(quote) ? 0.9 : 0.1;
      },
    });

  it('scores down a finding whose cited passage supports the flagged statement, and keeps the one its passage contradicts', async () => {
    const engine = judge();
    const r = await check(TEXT, {
      verifier: createScriptedEngine([ANSWER]),
      verifierId: 'v',
      scorer: engineScorer(engine, 'judge', { id: 'judge' }),
      options: { threshold: 0.5 },
      evidence: fixedSource,
    });
    const inr = r.findings.find((f) => f.quote === '4.0～5.0')!;
    const aspirin = r.findings.find((f) => f.quote === '每日100mg')!;
    expect(inr.grounding).toBeCloseTo(0.9, 6);
    expect(inr.kept).toBe(true);
    expect(aspirin.evidence).toEqual(['asp:0']);
    expect(aspirin.grounding).toBeCloseTo(0.1, 6);
    expect(aspirin.rewardScore).toBeCloseTo(0.1, 6);
    expect(aspirin.kept).toBe(false);
    // The judge saw the cited passage itself, with its title.
    const groundedCalls = engine.scoreCalls.filter((p) => p.kind === 'judge' && p.messages.at(-1)!.content.includes('依据一致性'));
    expect(groundedCalls).toHaveLength(2);
    expect(groundedCalls.some((p) => p.kind === 'judge' && p.messages.at(-1)!.content.includes('《阿司匹林说明书》：预防心梗时阿司匹林每日100mg'))).toBe(true);
  });

  it('leaves findings that cite nothing, ungrounded checks and scorers without the criterion unchanged', async () => {
    const uncited = JSON.stringify({ has_error: true, errors: [{ quote: '每日100mg', type: 'conceptual', med: true, fix: '每日300mg', why: '常识' }] });
    const engine = judge();
    const a = await check(TEXT, { verifier: createScriptedEngine([uncited]), verifierId: 'v', scorer: engineScorer(engine, 'judge'), options: {}, evidence: fixedSource });
    expect(a.findings[0]!.grounding).toBeUndefined();
    expect(a.findings[0]!.rewardScore).toBeCloseTo(0.9, 6);
    const b = await check(TEXT, { verifier: createScriptedEngine([ANSWER]), verifierId: 'v', scorer: engineScorer(judge(), 'judge'), options: {} });
    expect(b.findings.every((f) => f.grounding === undefined && f.kept)).toBe(true);
    const plainScorer = { id: 'no-grounding', score: async () => 0.8 };
    const c = await check(TEXT, { verifier: createScriptedEngine([ANSWER]), verifierId: 'v', scorer: plainScorer, options: {}, evidence: fixedSource });
    expect(c.findings.every((f) => f.grounding === undefined && f.rewardScore === 0.8)).toBe(true);
  });
});
