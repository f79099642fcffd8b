/**
 * Prompt-prefix KV reuse for the transformers.js engine (issue 15).
 *
 * Every verifier prompt starts with the same system prompt (and, few-shot,
 * the same example turns); every judge prompt with the same judge
 * instructions, and the judge calls for one finding list share the text too.
 * Prefilling that prefix again for each benchmark item, sample, chunk and
 * judge call is most of the prompt's cost on a GPU.
 *
 * The cache finds the shared prefix by itself, by token ids: a prompt is
 * compared with the last few prompts it saw, and when two agree on a long
 * enough prefix, that prefix's keys/values are computed once (one forward
 * pass, continuing from the best entry it already holds) and kept as an
 * entry. A later prompt reuses the longest entry prefix it starts with.
 * Because only identical token ids are ever reused, a changed template, a
 * changed tokenizer or another model's prompt can never pick up a stale
 * entry; model change, unload and device loss clear the cache explicitly
 * (the engine calls `clear`).
 *
 * Ownership: entries hold CPU tensors that nobody mutates. A generation gets
 * a fresh DynamicCache object wrapping them (or a copy cut to the reused
 * length); generate() replaces the wrapper's entries with its own outputs
 * and never disposes CPU tensors, so the entry stays intact. GPU outputs of
 * the prefix pass are downloaded once and released. Only standard attention
 * caches (`present.N.key|value`, dims [batch, heads, seq, headDim]) are
 * reused; a model with other cache state (conv/recurrent) gets none.
 */
import type * as Transformers from '@huggingface/transformers';

type TensorLike = Transformers.Tensor;
type TensorCtor = typeof Transformers.Tensor;

export interface PrefixCacheOptions {
  /** Shortest prefix worth keeping, in tokens (default 16). */
  minTokens?: number;
  /** Most entries kept (default 4: verifier, few-shot, judge, and one spare). */
  maxEntries?: number;
  /** Most bytes of keys/values kept over all entries (default 256 MiB). */
  maxBytes?: number;
  /** Recent prompts compared with each new one (default 4). */
  historySize?: number;
  /**
   * Whether GPU outputs can be read back (default true). onnxruntime-web
   * downloads a WebGPU buffer; onnxruntime-node aborts the process on it, so
   * the engine passes false in Node and a WebGPU model there gets no reuse.
   */
  downloadGpu?: boolean;
}

/** Runs the model on `ids` after `past` (a cache of `ids`' first `pastLength` positions) and returns its raw outputs. */
export type PrefixForward = (
  inputIds: readonly number[],
  totalLength: number,
  past: Record<string, TensorLike> | undefined,
) => Promise<Record<string, TensorLike>>;

export interface PrefixPlan {
  /** Cache tensors for the first `cachedLength` prompt tokens (CPU, read-only; wrap them in a new DynamicCache). */
  past: Record<string, TensorLike> | undefined;
  cachedLength: number;
  /** Prompt tokens computed for this call, including a prefix pass run now: promptLength − tokens taken from earlier calls. */
  prefillTokens: number;
}

export interface PrefixCache {
  /** Plans reuse for one prompt; may run one forward pass to store a new entry. */
  plan(ids: readonly number[], forward: PrefixForward): Promise<PrefixPlan>;
  /** Drops every entry and the prompt history (model change, unload, device loss, failed call). */
  clear(): void;
  /** Entries held, for tests and the bench: their lengths in tokens, most recently used first. */
  stats(): { entries: number[]; bytes: number };
}

interface Entry {
  ids: number[];
  kv: Record<string, TensorLike>;
  bytes: number;
}

const KV_NAME = /^past_key_values\.\d+\.(key|value)$/;

export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

function bytesOf(kv: Record<string, TensorLike>): number {
  let total = 0;
  for (const t of Object.values(kv)) total += (t.data as ArrayBufferView).byteLength;
  return total;
}

/** A copy of `t` ([batch, heads, seq, headDim]) cut to its first `length` positions along seq. */
export function cutSequence(Tensor: TensorCtor, t: TensorLike, length: number): TensorLike {
  const dims = t.dims;
  const seq = dims[dims.length - 2] ?? 0;
  if (length === seq) return t;
  const inner = dims[dims.length - 1] ?? 1;
  const outer = dims.slice(0, -2).reduce((a, b) => a * b, 1);
  const src = t.data as unknown as { subarray(s: number, e: number): ArrayLike<unknown>; constructor: new (n: number) => { set(a: ArrayLike<unknown>, o: number): void } };
  const out = new src.constructor(outer * length * inner);
  for (let o = 0; o < outer; o++) out.set(src.subarray(o * seq * inner, (o * seq + length) * inner), o * length * inner);
  const newDims = [...dims];
  newDims[dims.length - 2] = length;
  return new Tensor(t.type, out as unknown as Transformers.DataArray, newDims);
}

function cutCache(Tensor: TensorCtor, kv: Record<string, TensorLike>, length: number): Record<string, TensorLike> {
  const out: Record<string, TensorLike> = {};
  for (const [name, t] of Object.entries(kv)) out[name] = cutSequence(Tensor, t, length);
  return out;
}

/**
 * present.N.key/value outputs → past_key_values.N.key/value CPU tensors
 * (GPU buffers downloaded and released); undefined when the model has cache
 * state that is not a plain attention KV.
 */
async function harvest(Tensor: TensorCtor, outputs: Record<string, TensorLike>, downloadGpu: boolean): Promise<Record<string, TensorLike> | undefined> {
  if (!downloadGpu && Object.values(outputs).some((t) => t.location === 'gpu-buffer')) {
    for (const t of Object.values(outputs)) if (t.location === 'gpu-buffer') t.dispose();
    return undefined;
  }
  const kv: Record<string, TensorLike> = {};
  let ok = true;
  for (const [name, t] of Object.entries(outputs)) {
    if (!name.startsWith('present')) {
      if (t.location === 'gpu-buffer') t.dispose();
      continue;
    }
    const renamed = name.replace(/^present/, 'past_key_values');
    if (!KV_NAME.test(renamed)) ok = false;
    if (t.location === 'gpu-buffer') {
      const ort = (t as unknown as { ort_tensor: { getData(release?: boolean): Promise<Transformers.DataArray> } }).ort_tensor;
      kv[renamed] = new Tensor(t.type, await ort.getData(true), [...t.dims]);
    } else {
      kv[renamed] = t;
    }
  }
  return ok && Object.keys(kv).length > 0 ? kv : undefined;
}

export function createPrefixCache(Tensor: TensorCtor, options: PrefixCacheOptions = {}): PrefixCache {
  const minTokens = options.minTokens ?? 16;
  const maxEntries = options.maxEntries ?? 4;
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  const historySize = options.historySize ?? 4;
  const downloadGpu = options.downloadGpu ?? true;
  /** Most recently used first. */
  let entries: Entry[] = [];
  let history: number[][] = [];
  /** Set when a model's cache cannot be cut by position: reuse stays off until clear(). */
  let unsupported = false;

  function totalBytes(): number {
    return entries.reduce((s, e) => s + e.bytes, 0);
  }

  function store(entry: Entry): void {
    entries = [entry, ...entries];
    while (entries.length > maxEntries || (entries.length > 1 && totalBytes() > maxBytes)) entries.pop();
  }

  function remember(ids: readonly number[]): void {
    history = [ids.slice(), ...history].slice(0, historySize);
  }

  async function plan(ids: readonly number[], forward: PrefixForward): Promise<PrefixPlan> {
    const n = ids.length;
    const cap = Math.max(0, n - 1); // at least one token goes through generate, which needs its logits
    let best: Entry | undefined;
    let reused = 0;
    for (const e of entries) {
      const l = Math.min(commonPrefixLength(e.ids, ids), cap);
      // Longest match; on a tie prefer an entry that needs no cut.
      if (l > reused || (l === reused && best && l === e.ids.length && best.ids.length !== l)) {
        best = e;
        reused = l;
      }
    }
    if (reused < minTokens) {
      best = undefined;
      reused = 0;
    }
    const agreed = history.reduce((m, h) => Math.max(m, Math.min(commonPrefixLength(h, ids), cap)), 0);
    remember(ids);
    if (unsupported) return { past: undefined, cachedLength: 0, prefillTokens: n };

    if (agreed >= minTokens && agreed >= reused + minTokens) {
      // Two prompts share a longer prefix than any entry: compute it once (continuing from the best entry) and keep it.
      const base = best ? cutCache(Tensor, best.kv, reused) : undefined;
      const outputs = await forward(ids.slice(reused, agreed), agreed, base);
      const kv = await harvest(Tensor, outputs, downloadGpu);
      if (!kv) {
        unsupported = true;
        entries = [];
        return { past: undefined, cachedLength: 0, prefillTokens: n };
      }
      const entry: Entry = { ids: ids.slice(0, agreed), kv, bytes: bytesOf(kv) };
      if (entry.bytes <= maxBytes) store(entry);
      return { past: kv, cachedLength: agreed, prefillTokens: n - reused };
    }
    if (!best) return { past: undefined, cachedLength: 0, prefillTokens: n };

    entries = [best, ...entries.filter((e) => e !== best)];
    if (reused < best.ids.length) {
      // The entry's tail belonged to one prompt only (an item's first characters, a sample's whole text):
      // keep the shared part as its own entry, so the next prompt with this prefix needs no cut.
      const kv = cutCache(Tensor, best.kv, reused);
      const trimmed: Entry = { ids: best.ids.slice(0, reused), kv, bytes: bytesOf(kv) };
      store(trimmed);
      return { past: trimmed.kv, cachedLength: reused, prefillTokens: n - reused };
    }
    return { past: best.kv, cachedLength: reused, prefillTokens: n - reused };
  }

  return {
    plan,
    clear() {
      entries = [];
      history = [];
      unsupported = false;
    },
    stats() {
      return { entries: entries.map((e) => e.ids.length), bytes: totalBytes() };
    },
  };
}
