/**
 * Models on the inference servers IT allows (app-config.json
 * `inferenceEndpoints`) as choices for the checker, and loading one: the
 * OpenAI-compatible engine (fetch only, loaded lazily) on the page itself,
 * reaching only the configured base URL (the CSP's connect-src names exactly
 * those hosts). API keys are entered per session and kept in this module's
 * memory only: never in storage, results, exports or logs.
 */
import type { ModelChoice } from '../stores/model-session-store';
import type { InferenceEndpoint } from '../domain/config/types';
import type { ModelEngine } from '../protocol/engine';
import { MedfactError } from '../protocol/errors';

const PREFIX = 'openai:';
const keys = new Map<string, string>();

/** The API key for an endpoint, for this session only (empty string forgets it). */
export function setEndpointKey(endpointId: string, key: string): void {
  if (key) keys.set(endpointId, key);
  else keys.delete(endpointId);
}

/** Choice id, also stored with every result as the model that checked it: `openai:<endpoint id>/<model>`. */
export function endpointChoiceId(endpoint: InferenceEndpoint, model: string): string {
  return `${PREFIX}${endpoint.id}/${model}`;
}

export function isEndpointChoice(id: string | null | undefined): id is string {
  return typeof id === 'string' && id.startsWith(PREFIX);
}

export function endpointChoices(endpoints: readonly InferenceEndpoint[]): ModelChoice[] {
  const out: ModelChoice[] = [];
  for (const e of endpoints) {
    for (const m of e.models) out.push({ id: endpointChoiceId(e, m), label: `${m} · ${e.label}`, role: 'verifier' });
    if (e.judge) out.push({ id: endpointChoiceId(e, e.judge), label: `${e.judge} · ${e.label}`, role: 'reward' });
  }
  return out;
}

export function resolveEndpointChoice(endpoints: readonly InferenceEndpoint[], id: string): { endpoint: InferenceEndpoint; model: string } | null {
  for (const endpoint of endpoints) {
    const prefix = `${PREFIX}${endpoint.id}/`;
    if (!id.startsWith(prefix)) continue;
    const model = id.slice(prefix.length);
    if (endpoint.models.includes(model) || endpoint.judge === model) return { endpoint, model };
  }
  return null;
}

export interface LoadedEndpointModel {
  engine: ModelEngine;
  contextTokens: number;
  remote: { label: string; host: string };
}

/** Connects to the server and checks that it serves the model (GET /models). */
export async function loadEndpointModel(endpoint: InferenceEndpoint, model: string, signal: AbortSignal): Promise<LoadedEndpointModel> {
  let host: string;
  try {
    host = new URL(endpoint.baseUrl).host;
  } catch {
    throw new MedfactError('BAD_CONFIG', `inferenceEndpoints "${endpoint.id}" has no valid baseUrl.`);
  }
  const { createOpenAIEngine } = await import('../../workers/openai-engine');
  const key = keys.get(endpoint.id);
  const engine = createOpenAIEngine({
    baseUrl: endpoint.baseUrl,
    ...(key ? { apiKey: key } : {}),
    adaptiveTimeout: { floorMs: 10_000, factor: 8, minSamples: 8 },
  });
  const result = await engine.load(
    { id: model, engine: 'openai', task: 'text-generation', device: 'cpu', dtype: 'fp32', source: { hubHost: endpoint.baseUrl } },
    { signal },
  );
  return { engine, contextTokens: result.contextTokens, remote: { label: endpoint.label, host } };
}
