/**
 * The default model catalog: Chinese-capable verifier models for both
 * engines, and generative judges (reward role) built from the same models.
 * WebLLM ids, libraries and memory needs are those of web-llm 0.2.86's
 * prebuiltAppConfig; its prebuilt Qwen records declare no required
 * features, so f16 builds are marked here (they need shader-f16).
 * transformers.js download sizes are approximate (marked so).
 * Fixture models are not listed: a deployment's app-config.json may add them.
 * No default classifier reward model is listed (none is published for
 * Chinese medical error checking); a deployment or user adds one with
 * customEntry({ task: 'text-classification', role: 'reward', … }).
 */
import type { Dtype } from '../../protocol/engine';
import { CatalogModelSchema, type CatalogModel } from './schema';

const MB = 1024 * 1024;
/** Yes/no words of the judge prompt (src/core prompts ask for 是/否). */
export const JUDGE_WORDS = { yes: '是', no: '否' } as const;

interface MlcBuild {
  family: 'Qwen3' | 'Qwen2.5';
  size: string;
  paramsB: number;
  quant: 'q4f16' | 'q4f32';
  /** library file name under the model-lib host (v0_2_86/) */
  lib: string;
  vramMB: number;
  /** approximate weights download */
  downloadMB: number;
  license: string;
}

function mlcEntry(b: MlcBuild): CatalogModel {
  const instruct = b.family === 'Qwen2.5' ? '-Instruct' : '';
  const id = `${b.family}-${b.size}${instruct}-${b.quant}_1-MLC`;
  const f16 = b.quant === 'q4f16';
  return {
    id,
    engine: 'webllm',
    role: 'verifier',
    task: 'text-generation',
    dtypes: [b.quant],
    sizeBytes: Math.round(b.downloadMB * MB),
    sizeApproximate: true,
    gpuMemoryMB: b.vramMB,
    paramsB: b.paramsB,
    modelLib: b.lib,
    license: b.license,
    requiredFeatures: f16 ? ['shader-f16'] : [],
    contextTokens: 4096,
    label: { zh: `${b.family} ${b.size}${instruct ? ' 指令版' : ''}（WebLLM ${b.quant}）`, en: `${b.family} ${b.size}${instruct} (WebLLM ${b.quant})` },
    description: {
      zh: `${b.family} ${b.size} 中文能力强的通用模型，WebGPU 上以 MLC 编译运行；${f16 ? '需要显卡支持 shader-f16。' : '32 位浮点着色器，兼容无 shader-f16 的显卡。'}`,
      en: `${b.family} ${b.size}, a strong Chinese general model compiled by MLC for WebGPU; ${f16 ? 'needs GPU shader-f16 support.' : 'f32 shaders, for GPUs without shader-f16.'}`,
    },
  };
}

const APACHE = 'Apache-2.0';
const QWEN_RESEARCH = 'Qwen-Research';

const MLC_BUILDS: MlcBuild[] = [
  { family: 'Qwen3', size: '0.6B', paramsB: 0.6, quant: 'q4f16', lib: 'Qwen3-0.6B-q4f16_1_cs1k-webgpu.wasm', vramMB: 1403.34, downloadMB: 340, license: APACHE },
  { family: 'Qwen3', size: '0.6B', paramsB: 0.6, quant: 'q4f32', lib: 'Qwen3-0.6B-q4f32_1_cs1k-webgpu.wasm', vramMB: 1924.98, downloadMB: 420, license: APACHE },
  { family: 'Qwen3', size: '1.7B', paramsB: 1.7, quant: 'q4f16', lib: 'Qwen3-1.7B-q4f16_1_cs1k-webgpu.wasm', vramMB: 2036.66, downloadMB: 960, license: APACHE },
  { family: 'Qwen3', size: '1.7B', paramsB: 1.7, quant: 'q4f32', lib: 'Qwen3-1.7B-q4f32_1_cs1k-webgpu.wasm', vramMB: 2635.44, downloadMB: 1150, license: APACHE },
  { family: 'Qwen3', size: '4B', paramsB: 4, quant: 'q4f16', lib: 'Qwen3-4B-q4f16_1_cs1k-webgpu.wasm', vramMB: 3431.59, downloadMB: 2270, license: APACHE },
  { family: 'Qwen3', size: '4B', paramsB: 4, quant: 'q4f32', lib: 'Qwen3-4B-q4f32_1_cs1k-webgpu.wasm', vramMB: 4327.71, downloadMB: 2530, license: APACHE },
  { family: 'Qwen3', size: '8B', paramsB: 8, quant: 'q4f16', lib: 'Qwen3-8B-q4f16_1_cs1k-webgpu.wasm', vramMB: 5695.78, downloadMB: 4600, license: APACHE },
  { family: 'Qwen3', size: '8B', paramsB: 8, quant: 'q4f32', lib: 'Qwen3-8B-q4f32_1_cs1k-webgpu.wasm', vramMB: 6852.55, downloadMB: 5100, license: APACHE },
  { family: 'Qwen2.5', size: '1.5B', paramsB: 1.5, quant: 'q4f16', lib: 'Qwen2-1.5B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 1629.75, downloadMB: 870, license: APACHE },
  { family: 'Qwen2.5', size: '1.5B', paramsB: 1.5, quant: 'q4f32', lib: 'Qwen2-1.5B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 1888.97, downloadMB: 1000, license: APACHE },
  { family: 'Qwen2.5', size: '3B', paramsB: 3, quant: 'q4f16', lib: 'Qwen2.5-3B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 2504.76, downloadMB: 1700, license: QWEN_RESEARCH },
  { family: 'Qwen2.5', size: '3B', paramsB: 3, quant: 'q4f32', lib: 'Qwen2.5-3B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 2893.64, downloadMB: 1900, license: QWEN_RESEARCH },
  { family: 'Qwen2.5', size: '7B', paramsB: 7, quant: 'q4f16', lib: 'Qwen2-7B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 5106.67, downloadMB: 4100, license: APACHE },
  { family: 'Qwen2.5', size: '7B', paramsB: 7, quant: 'q4f32', lib: 'Qwen2-7B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 5900.09, downloadMB: 4500, license: APACHE },
];

interface OnnxBuild {
  id: string;
  name: string;
  paramsB: number;
  /** approximate MB per dtype */
  sizes: Partial<Record<Dtype, number>>;
  license: string;
  contextTokens: number;
  /** GPU memory estimate in MB for the q4f16 build on WebGPU */
  gpuMemoryMB: number;
}

function onnxEntry(b: OnnxBuild): CatalogModel {
  const sizeBytesByDtype: Partial<Record<Dtype, number>> = {};
  for (const [d, mb] of Object.entries(b.sizes) as Array<[Dtype, number]>) sizeBytesByDtype[d] = Math.round(mb * MB);
  return {
    id: b.id,
    engine: 'transformers',
    role: 'verifier',
    task: 'text-generation',
    dtypes: ['q4f16', 'q4', 'q8'],
    // q8 first on WASM: transformers.js's own WASM default, and the smaller file for these exports
    deviceDtypes: { webgpu: ['q4f16', 'q4'], wasm: ['q8', 'q4'] },
    sizeBytes: sizeBytesByDtype.q8 ?? Math.round((b.sizes.q4 ?? 1) * MB),
    sizeBytesByDtype,
    sizeApproximate: true,
    gpuMemoryMB: b.gpuMemoryMB,
    paramsB: b.paramsB,
    license: b.license,
    contextTokens: b.contextTokens,
    label: { zh: `${b.name}（transformers.js ONNX）`, en: `${b.name} (transformers.js ONNX)` },
    description: {
      zh: `${b.name} 的 ONNX 量化版，可在 WebGPU 或纯 CPU（WASM）上运行，无显卡时也能使用。`,
      en: `ONNX quantised ${b.name}; runs on WebGPU or on the CPU (WASM), so it works without a GPU.`,
    },
  };
}

const ONNX_BUILDS: OnnxBuild[] = [
  { id: 'onnx-community/Qwen3-0.6B-ONNX', name: 'Qwen3 0.6B', paramsB: 0.6, sizes: { q4f16: 570, q4: 920, q8: 760 }, license: APACHE, contextTokens: 8192, gpuMemoryMB: 1200 },
  { id: 'onnx-community/Qwen3-1.7B-ONNX', name: 'Qwen3 1.7B', paramsB: 1.7, sizes: { q4f16: 1400, q4: 2000, q8: 2000 }, license: APACHE, contextTokens: 8192, gpuMemoryMB: 2400 },
  { id: 'onnx-community/Qwen2.5-0.5B-Instruct', name: 'Qwen2.5 0.5B Instruct', paramsB: 0.5, sizes: { q4f16: 460, q4: 790, q8: 500 }, license: APACHE, contextTokens: 8192, gpuMemoryMB: 1000 },
  { id: 'onnx-community/Qwen2.5-1.5B-Instruct', name: 'Qwen2.5 1.5B Instruct', paramsB: 1.5, sizes: { q4f16: 1100, q4: 1600, q8: 1600 }, license: APACHE, contextTokens: 8192, gpuMemoryMB: 2200 },
];

/** The generative judge built from a verifier: same weights, reward role, no second download. */
export function judgeFrom(verifier: CatalogModel): CatalogModel {
  return {
    ...verifier,
    role: 'reward',
    judge: { ...JUDGE_WORDS },
    label: { zh: `${verifier.label.zh} · 判别`, en: `${verifier.label.en} · judge` },
    description: {
      zh: `以生成式判别方式（比较“是/否”首个词元的概率）为每条发现打分。${verifier.description.zh}`,
      en: `Scores each finding as a generative judge (p of "是" vs "否" as the first token). ${verifier.description.en}`,
    },
  };
}

const VERIFIERS: CatalogModel[] = [...MLC_BUILDS.map(mlcEntry), ...ONNX_BUILDS.map(onnxEntry)];

/** bge's instruction for short retrieval queries (its model card); passages get none. */
export const BGE_ZH_QUERY_PREFIX = '为这个句子生成表示以用于检索相关文章：';

interface EmbedderBuild {
  id: string;
  paramsB: number;
  /** approximate MB of the q8, fp16 and fp32 ONNX files */
  sizes: { q8: number; fp16: number; fp32: number };
  embedPrefixes: NonNullable<CatalogModel['embedPrefixes']>;
  label: CatalogModel['label'];
  description: CatalogModel['description'];
}

/**
 * Embedders (the optional dense side of the reference library, issue 11):
 * transformers.js feature-extraction exports; sizes are the ONNX files of
 * the Xenova builds, approximate. q8 first: small, and fast on the CPU.
 */
function embedderEntry(b: EmbedderBuild): CatalogModel {
  return {
    id: b.id,
    engine: 'transformers',
    role: 'embedder',
    task: 'feature-extraction',
    dtypes: ['q8', 'fp16', 'fp32'],
    sizeBytes: b.sizes.q8 * MB,
    sizeBytesByDtype: { q8: b.sizes.q8 * MB, fp16: b.sizes.fp16 * MB, fp32: b.sizes.fp32 * MB },
    sizeApproximate: true,
    paramsB: b.paramsB,
    license: 'MIT',
    contextTokens: 512,
    embedPrefixes: b.embedPrefixes,
    label: b.label,
    description: b.description,
  };
}

const EMBEDDERS: CatalogModel[] = [
  embedderEntry({
    id: 'Xenova/bge-small-zh-v1.5',
    paramsB: 0.024,
    sizes: { q8: 24, fp16: 48, fp32: 96 },
    embedPrefixes: { query: BGE_ZH_QUERY_PREFIX },
    label: { zh: 'BGE small 中文检索向量模型（transformers.js）', en: 'BGE small zh (transformers.js embedder)' },
    description: {
      zh: '为参考资料库计算语义向量（512 维），与关键词检索融合排序，能找到措辞不同的相关段落。体积小，CPU 上即可运行。',
      en: 'Computes semantic vectors (512 dims) for the reference library, fused with keyword search, so passages worded differently from the text are found too. Small; runs on the CPU.',
    },
  }),
  embedderEntry({
    id: 'Xenova/multilingual-e5-small',
    paramsB: 0.118,
    sizes: { q8: 118, fp16: 236, fp32: 470 },
    embedPrefixes: { query: 'query: ', passage: 'passage: ' },
    label: { zh: 'multilingual-e5 small 多语言检索向量模型（transformers.js）', en: 'multilingual-e5 small (transformers.js embedder)' },
    description: {
      zh: '多语言语义向量（384 维），适合中英文混合的参考资料。',
      en: 'Multilingual semantic vectors (384 dims), for libraries that mix Chinese and English.',
    },
  }),
];

/** Validated once at start-up: a typo in this data fails the unit tests, not a user. */
export const DEFAULT_CATALOG: readonly CatalogModel[] = Object.freeze(
  [...VERIFIERS, ...VERIFIERS.map(judgeFrom), ...EMBEDDERS].map((e) => CatalogModelSchema.parse(e)),
);

export function findEntry(catalog: readonly CatalogModel[], id: string, role: CatalogModel['role']): CatalogModel | undefined {
  return catalog.find((e) => e.id === id && e.role === role);
}

/**
 * The catalog the app shows: the built-in entries, then the deployment's and
 * the user's. A later entry replaces an earlier one with the same engine, id
 * and role (a verifier and its judge share weights but are two entries).
 */
export function mergeCatalog(...lists: readonly (readonly CatalogModel[])[]): CatalogModel[] {
  const byKey = new Map<string, CatalogModel>();
  for (const e of [DEFAULT_CATALOG, ...lists].flat()) byKey.set(`${e.engine}:${e.id}:${e.role}`, e);
  return [...byKey.values()];
}

/**
 * The one catalog every screen uses (issue 14): built-in, then the
 * deployment's (app-config.json), then the user's own additions. Entries
 * that fail the catalog's rules (a WebLLM classifier, a damaged saved entry)
 * are left out rather than offered.
 */
export function appCatalog(deployment: readonly unknown[], custom: readonly unknown[] = []): CatalogModel[] {
  const valid = (list: readonly unknown[]) =>
    list.flatMap((e) => {
      const r = CatalogModelSchema.safeParse(e);
      return r.success ? [r.data] : [];
    });
  return mergeCatalog(valid(deployment), valid(custom));
}

/** The label a person sees for a model id (ids stay in tooltips and exports); the id itself when the catalog does not know it. */
export function modelLabel(catalog: readonly CatalogModel[], id: string, lang: 'zh' | 'en'): string {
  const entry = catalog.find((e) => e.id === id && e.role === 'verifier') ?? catalog.find((e) => e.id === id);
  return entry ? entry.label[lang] : id;
}
