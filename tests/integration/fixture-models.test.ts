/**
 * The tiny fixture models through the real libraries: transformers.js on CPU
 * (local files, and once through the mirror server) and onnxruntime-web WASM.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AutoModelForCausalLM,
  AutoModelForSequenceClassification,
  AutoTokenizer,
  env,
  pipeline,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  Tensor,
  TextStreamer,
} from '@huggingface/transformers';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureModels, type FixtureManifest } from '../fixtures/build-models';
import { ensureFixtureModels } from '../fixtures/ensure-models';
import { type MirrorServer, startMirrorServer } from '../fixtures/mirror-server';
import type { RewardFixture } from '../fixtures/onnx/reward-model';
import type { VerifierFixture } from '../fixtures/onnx/verifier-model';
import type { WireAnswer } from '../../src/core/answer';

const VERIFIER = 'fixture/tiny-verifier';
const VERIFIER_SMALL = 'fixture/tiny-verifier-small';
const REWARD = 'fixture/tiny-reward';
const SYSTEM = '你是医学事实核查助手。找出文本中的事实错误，只输出 JSON。';

let root = '';
let verifierFixture: VerifierFixture;
let rewardFixture: RewardFixture;
const savedEnv = { ...env };

function useLocalFiles(): void {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = `${root}/`;
  env.useFSCache = false;
}

beforeAll(async () => {
  root = await ensureFixtureModels();
  verifierFixture = JSON.parse(await readFile(join(root, VERIFIER, 'fixture.json'), 'utf8')) as VerifierFixture;
  rewardFixture = JSON.parse(await readFile(join(root, REWARD, 'fixture.json'), 'utf8')) as RewardFixture;
  useLocalFiles();
});

afterAll(() => {
  Object.assign(env, savedEnv);
});

interface ChatInputs {
  input_ids: Tensor;
  attention_mask: Tensor;
}

function chatInputs(tokenizer: PreTrainedTokenizer, user: string, enableThinking: boolean): ChatInputs {
  // enable_thinking reaches the Jinja template as an extra keyword (not in the option type).
  const options = { add_generation_prompt: true, enable_thinking: enableThinking, return_dict: true };
  const messages = [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: user },
  ];
  return tokenizer.apply_chat_template(messages, options) as unknown as ChatInputs;
}

/** Greedy generation; returns only the new token ids. */
async function generateIds(model: PreTrainedModel, inputs: ChatInputs, streamer?: TextStreamer): Promise<number[]> {
  const out = (await model.generate({
    ...inputs,
    max_new_tokens: verifierFixture.answerTokens + 8,
    do_sample: false,
    ...(streamer ? { streamer } : {}),
  })) as Tensor;
  const promptLength = inputs.input_ids.dims[1] ?? 0;
  return (out.tolist() as bigint[][])[0]!.slice(promptLength).map(Number);
}

describe('fixture build', () => {
  it('is deterministic and its manifest matches the bytes on disk', async () => {
    const a = await mkdtemp(join(tmpdir(), 'fixture-a-'));
    const b = await mkdtemp(join(tmpdir(), 'fixture-b-'));
    try {
      const [ma, mb] = [await buildFixtureModels(a), await buildFixtureModels(b)];
      expect(mb).toEqual(ma);
      expect(await readFile(join(b, 'manifest.json'))).toEqual(await readFile(join(a, 'manifest.json')));
    } finally {
      await Promise.all([rm(a, { recursive: true, force: true }), rm(b, { recursive: true, force: true })]);
    }
    const manifest = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')) as FixtureManifest;
    const { createHash } = await import('node:crypto');
    for (const f of manifest.files) {
      const bytes = await readFile(join(root, f.path));
      expect(bytes.length, f.path).toBe(f.size);
      expect(createHash('sha256').update(bytes).digest('hex'), f.path).toBe(f.sha256);
    }
    const paths = manifest.files.map((f) => f.path);
    for (const name of ['model.onnx', 'model_quantized.onnx', 'model_q4.onnx']) {
      expect(paths).toContain(`${VERIFIER}/onnx/${name}`);
      expect(paths).toContain(`${REWARD}/onnx/${name}`);
    }
  });

  it('documents a verifier answer whose quote sits at the expected offsets', () => {
    const answer = JSON.parse(verifierFixture.answer) as WireAnswer;
    expect(answer.has_error).toBe(true);
    expect(answer.errors).toHaveLength(verifierFixture.expected.length);
    const [finding] = answer.errors;
    const [span] = verifierFixture.expected;
    expect(verifierFixture.text.slice(span!.start, span!.end)).toBe(finding!.quote);
    expect(verifierFixture.text.split(finding!.quote)).toHaveLength(2); // occurs exactly once
    expect(span!.type).toBe(finding!.type);
  });
});

describe('tiny-verifier (transformers.js, CPU, local files)', () => {
  let tokenizer: PreTrainedTokenizer;
  let model: PreTrainedModel;

  beforeAll(async () => {
    tokenizer = await AutoTokenizer.from_pretrained(VERIFIER);
    model = await AutoModelForCausalLM.from_pretrained(VERIFIER, { dtype: 'fp32', device: 'cpu' });
  });
  afterAll(async () => {
    await model.dispose();
  });

  for (const enableThinking of [true, false]) {
    it(`greedy-generates exactly the fixture answer, then <|im_end|> (enable_thinking ${enableThinking})`, async () => {
      const inputs = chatInputs(tokenizer, verifierFixture.text, enableThinking);
      // The prompt really differs: thinking off ends with "<think>\n\n</think>\n\n".
      const prompt = tokenizer.decode((inputs.input_ids.tolist() as bigint[][])[0]!.map(Number));
      expect(prompt.endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n')).toBe(!enableThinking);
      expect(prompt.endsWith('<|im_start|>assistant\n')).toBe(enableThinking);
      const started = performance.now();
      const ids = await generateIds(model, inputs);
      const perToken = (performance.now() - started) / ids.length;
      console.log(`tiny-verifier: ${ids.length} tokens, ${perToken.toFixed(2)} ms/token on CPU (thinking ${enableThinking})`);
      expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe(verifierFixture.answer);
      expect(ids).toHaveLength(verifierFixture.answerTokens + 1);
      expect(ids.at(-1)).toBe(verifierFixture.eosTokenId);
    });
  }

  it('gives the same answer for short, long and non-chat prompts', async () => {
    const long = Array.from({ length: 6 }, () => verifierFixture.text).join('\n');
    for (const inputs of [chatInputs(tokenizer, '你好', false), chatInputs(tokenizer, long, true)]) {
      expect(tokenizer.decode(await generateIds(model, inputs), { skip_special_tokens: true })).toBe(verifierFixture.answer);
    }
    const raw = tokenizer('请核查：青霉素过敏者可以使用阿莫西林。') as unknown as ChatInputs;
    expect(tokenizer.decode(await generateIds(model, raw), { skip_special_tokens: true })).toBe(verifierFixture.answer);
  });

  it('streams the answer in several pieces through TextStreamer', async () => {
    const pieces: string[] = [];
    const streamer = new TextStreamer(tokenizer, {
      skip_prompt: true,
      skip_special_tokens: true,
      callback_function: (text: string) => pieces.push(text),
    });
    await generateIds(model, chatInputs(tokenizer, verifierFixture.text, false), streamer);
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe(verifierFixture.answer);
  });

  it('predicts every answer token in one teacher-forced forward pass (for token probabilities)', async () => {
    const prompt = chatInputs(tokenizer, '阿莫西林成人每次5克。', false);
    const promptIds = (prompt.input_ids.tolist() as bigint[][])[0]!;
    const all = [...promptIds, ...verifierFixture.tokenIds.map(BigInt)];
    const input_ids = new Tensor('int64', BigInt64Array.from(all), [1, all.length]);
    const attention_mask = new Tensor('int64', new BigInt64Array(all.length).fill(1n), [1, all.length]);
    const { logits } = (await model({ input_ids, attention_mask })) as { logits: Tensor };
    const [, length, vocab] = logits.dims as [number, number, number];
    const data = logits.data as Float32Array;
    const argmaxAt = (t: number): number => {
      let best = 0;
      for (let v = 1; v < vocab; v++) if (data[t * vocab + v]! > data[t * vocab + best]!) best = v;
      return best;
    };
    const predicted = verifierFixture.tokenIds.map((_, i) => argmaxAt(promptIds.length - 1 + i));
    expect(length).toBe(all.length);
    expect(predicted).toEqual(verifierFixture.tokenIds);
  });

  it('loads the q8 and q4 file names (the same fp32 graph) with the same output', async () => {
    for (const dtype of ['q8', 'q4'] as const) {
      const other = await AutoModelForCausalLM.from_pretrained(VERIFIER, { dtype, device: 'cpu' });
      try {
        const ids = await generateIds(other, chatInputs(tokenizer, verifierFixture.text, false));
        expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe(verifierFixture.answer);
      } finally {
        await other.dispose();
      }
    }
  });
});

describe('tiny-verifier-small (small vocabulary, transformers.js, CPU)', () => {
  it('greedy-generates the same answer with thinking on and off, with a small logits row', async () => {
    const small = JSON.parse(await readFile(join(root, VERIFIER_SMALL, 'fixture.json'), 'utf8')) as VerifierFixture;
    expect(small.answer).toBe(verifierFixture.answer);
    const tokenizer = await AutoTokenizer.from_pretrained(VERIFIER_SMALL);
    const model = await AutoModelForCausalLM.from_pretrained(VERIFIER_SMALL, { dtype: 'q4', device: 'cpu' });
    try {
      for (const enableThinking of [true, false]) {
        const inputs = chatInputs(tokenizer, small.text, enableThinking);
        const started = performance.now();
        const out = (await model.generate({ ...inputs, max_new_tokens: small.answerTokens + 8, do_sample: false })) as Tensor;
        const ids = (out.tolist() as bigint[][])[0]!.slice(inputs.input_ids.dims[1]).map(Number);
        console.log(`tiny-verifier-small: ${ids.length} tokens, ${((performance.now() - started) / ids.length).toFixed(2)} ms/token on CPU`);
        expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe(small.answer);
        expect(ids).toEqual(small.tokenIds);
      }
      const { logits } = (await model({ ...chatInputs(tokenizer, '你好', false) })) as { logits: Tensor };
      expect(logits.dims[2]).toBeLessThan(2000);
    } finally {
      await model.dispose();
    }
  });
});

describe('tiny-verifier on onnxruntime-web (WASM)', () => {
  it('runs the same graph and emits the answer tokens', async () => {
    ortWeb.env.wasm.numThreads = 1;
    const bytes = await readFile(join(root, VERIFIER, 'onnx', 'model_quantized.onnx'));
    const session = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const tokenizer = await AutoTokenizer.from_pretrained(VERIFIER);
    const prompt = (chatInputs(tokenizer, verifierFixture.text, true).input_ids.tolist() as bigint[][])[0]!;
    let cache = new ortWeb.Tensor('float32', new Float32Array(0), [1, 2, 0, 4]);
    let step = prompt;
    let past = 0;
    const out: number[] = [];
    while (out.length < verifierFixture.tokenIds.length) {
      const i64 = (v: bigint[], dims: number[]) => new ortWeb.Tensor('int64', BigInt64Array.from(v), dims);
      const result = await session.run({
        input_ids: i64(step, [1, step.length]),
        attention_mask: i64(new Array<bigint>(past + step.length).fill(1n), [1, past + step.length]),
        position_ids: i64(step.map((_, i) => BigInt(past + i)), [1, step.length]),
        'past_key_values.0.key': cache,
        'past_key_values.0.value': cache,
        num_logits_to_keep: i64([1n], []),
      });
      const logits = result.logits!.data as Float32Array;
      let next = 0;
      for (let v = 1; v < logits.length; v++) if (logits[v]! > logits[next]!) next = v;
      out.push(next);
      cache = result['present.0.key'] as typeof cache;
      past += step.length;
      step = [BigInt(next)];
    }
    await session.release();
    expect(out).toEqual(verifierFixture.tokenIds);
  });
});

describe('tiny-reward (transformers.js, CPU)', () => {
  let tokenizer: PreTrainedTokenizer;
  let model: PreTrainedModel;
  let vocab: Record<string, number>;

  beforeAll(async () => {
    vocab = (JSON.parse(await readFile(join(root, REWARD, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
    tokenizer = await AutoTokenizer.from_pretrained(REWARD);
    model = await AutoModelForSequenceClassification.from_pretrained(REWARD, { dtype: 'fp32', device: 'cpu' });
  });
  afterAll(async () => {
    await model.dispose();
  });

  it('documents clearly high, clearly low and middle cases', () => {
    const byName = new Map(rewardFixture.cases.map((c) => [c.name, c.probabilities.error]));
    expect(byName.get('clearly-error')).toBeGreaterThan(0.9);
    expect(byName.get('clearly-correct')).toBeLessThan(0.1);
    expect(byName.get('middle')).toBeGreaterThan(0.3);
    expect(byName.get('middle')).toBeLessThan(0.7);
  });

  it('tokenises the documented inputs into the documented tokens and gives the documented logits', async () => {
    for (const c of rewardFixture.cases) {
      const inputs = tokenizer(c.text, c.text_pair === undefined ? {} : { text_pair: c.text_pair }) as unknown as Record<string, Tensor>;
      const ids = (inputs.input_ids!.tolist() as bigint[][])[0]!.map(Number);
      expect(ids, c.name).toEqual(c.tokens.map((t) => vocab[t]));
      const { logits } = (await model(inputs)) as { logits: Tensor };
      const [a, b] = logits.data as Float32Array;
      expect(a, c.name).toBeCloseTo(c.logits[0], 4);
      expect(b, c.name).toBeCloseTo(c.logits[1], 4);
    }
  });

  it('gives the documented scores through the text-classification pipeline', async () => {
    const classify = await pipeline('text-classification', REWARD, { dtype: 'fp32', device: 'cpu' });
    try {
      for (const c of rewardFixture.cases) {
        // The 4.3.1 pipeline takes no text_pair; "text[SEP]pair" tokenises to the same ids
        // except token_type_ids, which this model ignores.
        const input = c.text_pair === undefined ? c.text : `${c.text}[SEP]${c.text_pair}`;
        const out = (await classify(input, { top_k: null })) as { label: string; score: number }[];
        const score = (label: string) => out.find((o) => o.label === label)?.score;
        expect(score('error'), c.name).toBeCloseTo(c.probabilities.error, 4);
        expect(score('correct'), c.name).toBeCloseTo(c.probabilities.correct, 4);
        const [top] = (await classify(input)) as { label: string; score: number }[];
        expect(top?.label, c.name).toBe(c.label);
        expect(top?.score, c.name).toBeCloseTo(c.labelScore, 4);
      }
    } finally {
      await classify.dispose();
    }
  });
});

describe('fixture models through the mirror server', () => {
  let server: MirrorServer;
  let cacheDir = '';

  beforeAll(async () => {
    server = await startMirrorServer({ root });
    // In Node, transformers.js hands ONNX files to onnxruntime by path, so remote models need a file cache.
    cacheDir = await mkdtemp(join(tmpdir(), 'mirror-cache-'));
    env.cacheDir = cacheDir;
    env.useFSCache = true;
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    env.remoteHost = `${server.url}/`;
    env.remotePathTemplate = '{model}/resolve/{revision}/';
  });
  afterAll(async () => {
    useLocalFiles();
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('downloads and runs the verifier and the reward model from the mirror', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(VERIFIER);
    const model = await AutoModelForCausalLM.from_pretrained(VERIFIER, { dtype: 'q8', device: 'cpu' });
    try {
      const ids = await generateIds(model, chatInputs(tokenizer, verifierFixture.text, true));
      expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe(verifierFixture.answer);
    } finally {
      await model.dispose();
    }
    const classify = await pipeline('text-classification', REWARD, { dtype: 'q8', device: 'cpu' });
    try {
      const c = rewardFixture.cases[0]!;
      const out = (await classify(c.text, { top_k: null })) as { label: string; score: number }[];
      expect(out.find((o) => o.label === 'error')?.score).toBeCloseTo(c.probabilities.error, 4);
    } finally {
      await classify.dispose();
    }
    const ok = server.requests.filter((r) => r.method === 'GET' && r.status === 200).map((r) => r.path);
    expect(ok).toContain(`/${VERIFIER}/resolve/main/onnx/model_quantized.onnx`);
    expect(ok).toContain(`/${VERIFIER}/resolve/main/tokenizer.json`);
    expect(ok).toContain(`/${REWARD}/resolve/main/onnx/model_quantized.onnx`);
  });
});
