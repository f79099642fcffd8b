/**
 * The raw engine for the Chromium overhead baseline: transformers.js called
 * directly in a module worker (WASM), timed inside the worker, so the app's
 * path is compared with the library itself and nothing else.
 */
import * as tf from '@huggingface/transformers';
import { ortWasmPaths } from '../../workers/engine-shared/ort-wasm-paths';
import type { DirectReply, DirectRequest } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let tokenizer: tf.PreTrainedTokenizer | undefined;
let model: tf.PreTrainedModel | undefined;

async function handle(req: DirectRequest): Promise<DirectReply> {
  if (req.kind === 'load') {
    const t0 = performance.now();
    tf.env.allowLocalModels = false;
    tf.env.remoteHost = `${req.hubHost.replace(/\/$/, '')}/`;
    tf.env.remotePathTemplate = '{model}/resolve/{revision}/';
    const wasm = tf.env.backends.onnx.wasm;
    if (wasm) wasm.wasmPaths = { wasm: ortWasmPaths.wasm, mjs: ortWasmPaths.mjs };
    tokenizer = await tf.AutoTokenizer.from_pretrained(req.id);
    model = await tf.AutoModelForCausalLM.from_pretrained(req.id, { device: 'wasm', dtype: 'fp32' });
    return { ok: true, ms: performance.now() - t0, tokens: 0 };
  }
  if (!tokenizer || !model) return { ok: false, error: 'not loaded' };
  const t0 = performance.now();
  const inputs = tokenizer.apply_chat_template(req.messages, { add_generation_prompt: true, enable_thinking: false, return_dict: true } as never) as unknown as {
    input_ids: tf.Tensor;
  };
  const promptTokens = inputs.input_ids.dims[inputs.input_ids.dims.length - 1] ?? 0;
  const out = (await model.generate({ ...(inputs as object), max_new_tokens: req.maxTokens, do_sample: false })) as tf.Tensor;
  const ms = performance.now() - t0;
  return { ok: true, ms, tokens: (out.dims[out.dims.length - 1] ?? 0) - promptTokens };
}

scope.addEventListener('message', (event: MessageEvent<DirectRequest>) => {
  handle(event.data).then(
    (reply) => scope.postMessage(reply),
    (error: unknown) => scope.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies DirectReply),
  );
});
