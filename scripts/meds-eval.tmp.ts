import { readFileSync } from 'node:fs';
import { importFormulary } from '../src/core/meds';
import { evalItems, fixtureFormulary, scoreEval, FIXTURE_DIR, type EvalItem } from '../tests/unit/meds/eval-helpers';
const which = process.argv[2] ?? 'eval';
let rows;
let items: EvalItem[];
if (which === 'holdout2') { rows = await fixtureFormulary(); items = readFileSync(`${FIXTURE_DIR}holdout2.jsonl`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)); } else if (which === 'holdout') {
  const f = await importFormulary(new Uint8Array(readFileSync(`${FIXTURE_DIR}formulary-b.json`)), { fileName: 'b.json' });
  console.log('bad', JSON.stringify(f.bad));
  rows = f.rows;
  items = readFileSync(`${FIXTURE_DIR}holdout.jsonl`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
} else { rows = await fixtureFormulary(); items = evalItems(); }
const s = scoreEval(items, rows);
console.log(`P=${s.precision.toFixed(3)} R=${s.recall.toFixed(3)} tp=${s.tp} pred=${s.predicted} gold=${s.gold}`);
for (const m of s.misses) console.log(`- ${m.id} ${m.text}\n   gold=${JSON.stringify(m.gold)} flagged=${JSON.stringify(m.flagged.map((f) => `${f.text}|${f.rule}|${f.found}`))}`);
