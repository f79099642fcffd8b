/**
 * Precision and recall on flagged expressions over the project's own
 * labelled sets (the acceptance bar is P ≥ 0.95, R ≥ 0.90 on an unseen
 * formulary and texts). holdout.jsonl and holdout2.jsonl were written after
 * the grammar was first tuned, holdout against a second formulary in JSON
 * with English columns, so they say how the grammar generalises.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importFormulary } from '../../../../src/core/meds';
import { FIXTURE_DIR, evalItems, fixtureFormulary, scoreEval, type EvalItem } from './eval-helpers';

const readSet = (name: string): EvalItem[] =>
  readFileSync(`${FIXTURE_DIR}${name}`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as EvalItem);

describe('evaluation sets', () => {
  it('eval.jsonl (~100 texts, half with one offending expression): P ≥ 0.95, R ≥ 0.90', async () => {
    const items = evalItems();
    expect(items.length).toBeGreaterThanOrEqual(100);
    const s = scoreEval(items, await fixtureFormulary());
    expect(s.gold).toBeGreaterThanOrEqual(50);
    expect({ precision: s.precision >= 0.95, recall: s.recall >= 0.9, misses: s.misses.length <= 3 }).toEqual({ precision: true, recall: true, misses: true });
  });

  it('holdout.jsonl against formulary-b.json: P ≥ 0.95, R ≥ 0.90', async () => {
    const f = await importFormulary(new Uint8Array(readFileSync(`${FIXTURE_DIR}formulary-b.json`)), { fileName: 'formulary-b.json' });
    const s = scoreEval(readSet('holdout.jsonl'), f.rows);
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('holdout2.jsonl (lists, orders, full-width digits, numerals, several drugs): P ≥ 0.95, R ≥ 0.90', async () => {
    const s = scoreEval(readSet('holdout2.jsonl'), await fixtureFormulary());
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('holdout3.jsonl against formulary-c.tsv (any-population row, sublingual route, IU, a condition as contraindication): P ≥ 0.95, R ≥ 0.90', async () => {
    const f = await importFormulary(new Uint8Array(readFileSync(`${FIXTURE_DIR}formulary-c.tsv`)), { fileName: 'formulary-c.tsv' });
    expect(f.bad).toEqual([]);
    const s = scoreEval(readSet('holdout3.jsonl'), f.rows);
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('holdout5.jsonl (liquids in mL with a strength per mL, per-kg, stated weights, μg for mg, orders): P ≥ 0.95, R ≥ 0.90', async () => {
    const s = scoreEval(readSet('holdout5.jsonl'), await fixtureFormulary());
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('holdout6.jsonl (contraindications and negation in many phrasings): P ≥ 0.95, R ≥ 0.90', async () => {
    const s = scoreEval(readSet('holdout6.jsonl'), await fixtureFormulary());
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('holdout4.jsonl (whole package inserts, long answers with several drugs, forum posts): P ≥ 0.95, R ≥ 0.90', async () => {
    const s = scoreEval(readSet('holdout4.jsonl'), await fixtureFormulary());
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('holdout7.jsonl against formulary-d.csv (units only in the headers, salts in the names): P ≥ 0.95, R ≥ 0.90', async () => {
    const f = await importFormulary(new Uint8Array(readFileSync(`${FIXTURE_DIR}formulary-d.csv`)), { fileName: 'formulary-d.csv' });
    expect(f.bad).toEqual([]);
    const s = scoreEval(readSet('holdout7.jsonl'), f.rows);
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('holdout8.jsonl against the bundled demo formulary (what a new user pastes first): P ≥ 0.95, R ≥ 0.90', async () => {
    const { DEMO_FORMULARY_CSV } = await import('../../../../src/core/meds');
    const f = await importFormulary(new TextEncoder().encode(DEMO_FORMULARY_CSV), { fileName: 'demo.csv' });
    const s = scoreEval(readSet('holdout8.jsonl'), f.rows);
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('holdout9.jsonl against formulary-b.json (ranged frequencies, 单次不超过, inline contraindication lists): P ≥ 0.95, R ≥ 0.90', async () => {
    const f = await importFormulary(new Uint8Array(readFileSync(`${FIXTURE_DIR}formulary-b.json`)), { fileName: 'formulary-b.json' });
    const s = scoreEval(readSet('holdout9.jsonl'), f.rows);
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('holdout10.jsonl (markdown tables and lists from LLM answers, English words mixed in): P ≥ 0.95, R ≥ 0.90', async () => {
    const s = scoreEval(readSet('holdout10.jsonl'), await fixtureFormulary());
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('never flags a text that names no formulary drug', async () => {
    const rows = await fixtureFormulary();
    const { checkMedications } = await import('../../../../src/core/meds');
    for (const t of ['维生素C每次10g，每日10次。', '患者体温39.5℃，持续3天，血常规白细胞12×10^9/L。', '每次5g，每日8次。']) expect(checkMedications(t, rows)).toEqual([]);
  });
});
