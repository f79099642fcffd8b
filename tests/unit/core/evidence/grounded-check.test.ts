import { describe, expect, it } from 'vitest';
import { check, type EvidenceSource } from '../../../../src/core/check';
import { LexicalIndex, type CitedPassage } from '../../../../src/core/evidence';
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
