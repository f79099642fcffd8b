/** Custom models added by hub id or URL, for either engine, validated like catalog data. */
import type { Dtype, EngineKind, ModelTask } from '../../protocol/engine';
import { MedfactError } from '../../protocol/errors';
import { JUDGE_WORDS } from './catalog';
import { CatalogModelSchema, type CatalogModel } from './schema';

export interface CustomEntryInput {
  engine: EngineKind;
  /** `org/name`, `https://huggingface.co/org/name`, or a mirror URL `https://mirror/org/name/resolve/main/`. */
  hubIdOrUrl: string;
  role?: CatalogModel['role'];
  task?: ModelTask;
  /** WebLLM: inferred from the id (`…-q4f32_1-MLC`); transformers.js: default q4f16, q4, q8. */
  dtypes?: Dtype[];
  /** WebLLM: the model library URL or file name under the library host. */
  modelLib?: string;
  contextTokens?: number;
  sizeBytes?: number;
  gpuMemoryMB?: number;
  positiveLabel?: string;
  label?: string;
  license?: string;
}

const REPO = /^[\w.-]+\/[\w.-]+$/;

/** Splits a hub id or URL into the repo id and, for URLs, the host serving it. */
export function parseHubIdOrUrl(value: string): { id: string; hubHost?: string } {
  const text = value.trim();
  if (REPO.test(text)) return { id: text };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MedfactError('BAD_INPUT', `"${text}" is neither a hub id like "org/model" nor a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new MedfactError('BAD_INPUT', 'Model URLs must start with http:// or https://.');
  }
  const parts = url.pathname.split('/').filter(Boolean);
  const resolveAt = parts.indexOf('resolve');
  const repoParts = resolveAt >= 0 ? parts.slice(0, resolveAt) : parts;
  if (repoParts.length < 2) throw new MedfactError('BAD_INPUT', `The URL ${url.origin}${url.pathname} does not name a model repository (org/model).`);
  const id = repoParts.slice(-2).join('/');
  const prefix = repoParts.slice(0, -2).join('/');
  return { id, hubHost: `${url.origin}/${prefix ? `${prefix}/` : ''}` };
}

function inferMlcDtype(id: string): Dtype | undefined {
  const m = /-(q4f16|q4f32|q0f16|q0f32)_\d+-MLC$/i.exec(id);
  return m ? (m[1]?.toLowerCase() as Dtype) : undefined;
}

export function customEntry(input: CustomEntryInput): CatalogModel {
  const { id: repoId, hubHost } = parseHubIdOrUrl(input.hubIdOrUrl);
  const task = input.task ?? 'text-generation';
  const role = input.role ?? 'verifier';
  const name = repoId.slice(repoId.indexOf('/') + 1);
  let dtypes = input.dtypes;
  let id = repoId;
  if (input.engine === 'webllm') {
    const inferred = inferMlcDtype(name);
    dtypes ??= inferred ? [inferred] : undefined;
    if (!dtypes) {
      throw new MedfactError('BAD_INPUT', `Cannot tell the quantisation of ${name}; WebLLM ids end like "-q4f32_1-MLC", or give dtypes.`);
    }
    if (!input.modelLib) throw new MedfactError('BAD_INPUT', 'A WebLLM model needs its model library (.wasm) URL or file name.');
    // The web-llm adapter reads `org/name` as the repo and `name` as the model id.
    id = repoId;
  }
  dtypes ??= ['q4f16', 'q4', 'q8'];
  const candidate = {
    id,
    engine: input.engine,
    role,
    task,
    dtypes,
    ...(input.engine === 'transformers' ? { deviceDtypes: { webgpu: dtypes, wasm: dtypes.filter((d) => d !== 'q4f16' && d !== 'fp16') } } : {}),
    sizeBytes: input.sizeBytes ?? 1,
    sizeApproximate: input.sizeBytes === undefined,
    ...(input.gpuMemoryMB !== undefined ? { gpuMemoryMB: input.gpuMemoryMB } : {}),
    ...(input.modelLib ? { modelLib: input.modelLib } : {}),
    ...(input.contextTokens !== undefined ? { contextTokens: input.contextTokens } : {}),
    ...(input.license ? { license: input.license } : {}),
    ...(input.positiveLabel ? { positiveLabel: input.positiveLabel } : {}),
    ...(role === 'reward' && task === 'text-generation' ? { judge: { ...JUDGE_WORDS } } : {}),
    ...(hubHost ? { hubHost } : {}),
    requiredFeatures: input.engine === 'webllm' && dtypes.some((d) => d.includes('f16')) ? ['shader-f16'] : [],
    label: { zh: input.label ?? `${name}（自定义）`, en: input.label ?? `${name} (custom)` },
    description: { zh: `自定义模型：${repoId}`, en: `Custom model: ${repoId}` },
  };
  const parsed = CatalogModelSchema.safeParse(candidate);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`);
    throw new MedfactError('BAD_INPUT', `The custom model is not valid: ${issues.join('; ')}.`, { issues });
  }
  return parsed.data;
}
