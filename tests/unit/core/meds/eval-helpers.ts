/**
 * The project's own evaluation set (tests/fixtures/meds/eval.jsonl, ~100
 * texts written for this project) scored the way the acceptance check
 * scores: flagged expressions matched to labelled offending expressions.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkMedications, importFormulary, type FormularyRow, type MedFinding } from '../../../../src/core/meds';

export const FIXTURE_DIR = fileURLToPath(new URL('../../../fixtures/meds/', import.meta.url));

export async function fixtureFormulary(): Promise<FormularyRow[]> {
  const f = await importFormulary(new Uint8Array(readFileSync(`${FIXTURE_DIR}formulary.csv`)), { fileName: 'formulary.csv' });
  if (f.bad.length > 0) throw new Error(`fixture formulary has bad rows: ${JSON.stringify(f.bad)}`);
  return f.rows;
}

export interface EvalItem {
  id: string;
  text: string;
  gold: { start: number; end: number; text: string }[];
}

export function evalItems(): EvalItem[] {
  return readFileSync(`${FIXTURE_DIR}eval.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as EvalItem);
}

/** The project's span criterion: character-overlap F1 ≥ 0.5. */
export function spansMatch(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  const overlap = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  return (2 * overlap) / (a.end - a.start + (b.end - b.start)) >= 0.5;
}

export interface EvalScore {
  tp: number;
  predicted: number;
  gold: number;
  precision: number;
  recall: number;
  misses: { id: string; text: string; gold: string[]; flagged: MedFinding[] }[];
}

export function scoreEval(items: EvalItem[], rows: FormularyRow[]): EvalScore {
  let tp = 0;
  let predicted = 0;
  let gold = 0;
  const misses: EvalScore['misses'] = [];
  for (const item of items) {
    const found = checkMedications(item.text, rows);
    predicted += found.length;
    gold += item.gold.length;
    const used = new Set<number>();
    let matched = 0;
    for (const g of item.gold) {
      const i = found.findIndex((f, k) => !used.has(k) && spansMatch(f, g));
      if (i >= 0) {
        used.add(i);
        matched++;
      }
    }
    tp += matched;
    if (matched !== item.gold.length || found.length !== matched) misses.push({ id: item.id, text: item.text, gold: item.gold.map((g) => g.text), flagged: found });
  }
  return { tp, predicted, gold, precision: predicted === 0 ? 1 : tp / predicted, recall: gold === 0 ? 1 : tp / gold, misses };
}
