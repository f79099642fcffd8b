/** Small benchmark items and a scripted verifier that answers from the text it is shown. */
import type { DatasetItem } from '../../../../src/core/dataset/types';
import type { GenerateParams } from '../../../../src/protocol/engine';
import type { RunConfig } from '../../../../src/core/run-record';
import { createRunsRepo, type RunsRepo } from '../../../../src/storage/runs-repo';
import { createDatasetsRepo, type DatasetsRepo } from '../../../../src/storage/datasets-repo';
import { getAppDb } from '../../../../src/storage/db';

function errorItem(id: string, text: string, quote: string, errorType = 'conceptual'): DatasetItem {
  const start = text.indexOf(quote);
  if (start < 0) throw new Error(`fixture ${id}: quote not in text`);
  return { id, text, hasError: true, gold: [{ start, end: start + quote.length, text: quote, placed: true, approximate: false }], errorType, specialty: 'internal_medicine', unit: 'span' };
}

function correctItem(id: string, text: string): DatasetItem {
  return { id, text, hasError: false, gold: [], specialty: 'surgery', unit: 'span' };
}

/** Three erroneous and three correct texts. */
export const ITEMS: DatasetItem[] = [
  errorItem('e1', '乙型肝炎病毒属于RNA病毒，主要经血液传播。', 'RNA病毒'),
  correctItem('c1', '高血压患者应限制食盐摄入，每日不超过5克。'),
  errorItem('e2', '阿莫西林成人口服常用剂量为每次5克，每8小时一次。', '每次5克'),
  correctItem('c2', '糖尿病患者应定期监测血糖。'),
  errorItem('e3', '胰岛素由胰腺的α细胞分泌。', 'α细胞', 'terminological'),
  correctItem('c3', '维生素C缺乏可引起坏血病。'),
];

/** What the scripted verifier says for a text: an error for each quote it knows, a false alarm on c1. */
const FLAGS: { marker: string; quote: string; fix: string }[] = [
  { marker: 'RNA病毒', quote: 'RNA病毒', fix: 'DNA病毒' },
  { marker: '每次5克', quote: '每次5克', fix: '每次0.5克' },
  { marker: '食盐', quote: '每日不超过5克', fix: '每日不超过6克' },
];

export function userText(params: GenerateParams): string {
  return params.messages[params.messages.length - 1]?.content ?? '';
}

export function scriptedAnswer(params: GenerateParams): string {
  const text = userText(params);
  const hit = FLAGS.find((f) => text.includes(f.marker));
  if (!hit) return '{"has_error":false,"errors":[]}';
  return JSON.stringify({ has_error: true, errors: [{ quote: hit.quote, type: 'conceptual', med: false, fix: hit.fix, why: '与医学常识不符。' }] });
}

export const CONFIG: RunConfig = {
  verifier: { spec: { id: 'fake/verifier', engine: 'transformers', task: 'text-generation', device: 'wasm', dtype: 'q8', source: { hubHost: 'http://127.0.0.1:1', revision: 'r1' } } },
  reward: null,
  variant: 'zero-shot',
  thinking: false,
  samples: 1,
  maxTokens: 256,
  threshold: { kind: 'preset', preset: 'balanced' },
  temperature: 0,
};

let dbCounter = 0;
/** Repositories over a fresh fake-indexeddb database; `reopen` gives new repositories over the same one. */
export function freshDb(): { name: string; runs: RunsRepo; datasets: DatasetsRepo; reopen(): { runs: RunsRepo; datasets: DatasetsRepo } } {
  const name = `bench-test-${Date.now()}-${dbCounter++}`;
  const make = () => ({ runs: createRunsRepo(() => getAppDb(name)), datasets: createDatasetsRepo(() => getAppDb(name)) });
  return { name, ...make(), reopen: make };
}
