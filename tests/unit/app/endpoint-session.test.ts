/**
 * Inference servers from app-config.json as the checker's engine, against
 * the REAL conformance server (fixture verifier through transformers.js):
 * choosing one attaches an engine that says where the text goes, a check
 * through it records which engine checked it, a server that wants a key
 * refuses with AUTH until the key is entered for the session, and the key
 * appears in no store, result or saved choice.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { endpointChoiceId, endpointChoices, resolveEndpointChoice, setEndpointKey } from '../../../src/app/endpoint-session';
import { selectModel as select } from '../../../src/app/model-session';
import { resetSessionEngines, sessionEngine } from '../../../src/stores/session-engines';
import { useModelSession } from '../../../src/stores/model-session-store';
import { DEFAULT_APP_CONFIG, type InferenceEndpoint } from '../../../src/domain/config/types';
import { currentRunner } from '../../../src/features/check/engine-session';
import { privacyLine } from '../../../src/features/check/report-export';
import { useAppStore } from '../../../src/stores/app-store';
import { ensureFixtureModels } from '../../fixtures/ensure-models';
import { startOpenAIServer, type OpenAIServer } from '../../fixtures/openai-server';

const MODEL = 'fixture/tiny-verifier-small';
const KEY = 'sk-hospital-session-4711';
let open: OpenAIServer;
let locked: OpenAIServer;
let fixtureText: string;

function configure(endpoints: InferenceEndpoint[]): void {
  useAppStore.getState().setConfig({ config: { ...DEFAULT_APP_CONFIG, catalog: [], inferenceEndpoints: endpoints }, issues: [], source: 'file' });
}

beforeAll(async () => {
  const root = await ensureFixtureModels();
  fixtureText = (JSON.parse(await readFile(join(root, MODEL, 'fixture.json'), 'utf8')) as { text: string }).text;
  open = await startOpenAIServer({ root });
  locked = await startOpenAIServer({ root, apiKey: KEY });
});
afterAll(async () => {
  await open?.close();
  await locked?.close();
});
beforeEach(() => {
  resetSessionEngines();
});

describe('endpoint choices', () => {
  it('lists each allowed model as a verifier and the judge as a reward choice, model names with ":" and "/" intact', () => {
    const ep: InferenceEndpoint = { id: 'gpu1', label: '院内 GPU', baseUrl: 'http://gpu1.internal:8000/v1', models: ['qwen3:32b', 'Qwen/Qwen3-8B'], judge: 'Qwen/Qwen3-8B' };
    const choices = endpointChoices([ep]);
    expect(choices.map((c) => [c.role, c.id])).toEqual([
      ['verifier', 'openai:gpu1/qwen3:32b'],
      ['verifier', 'openai:gpu1/Qwen/Qwen3-8B'],
      ['reward', 'openai:gpu1/Qwen/Qwen3-8B'],
    ]);
    expect(resolveEndpointChoice([ep], 'openai:gpu1/qwen3:32b')?.model).toBe('qwen3:32b');
    expect(resolveEndpointChoice([ep], 'openai:gpu1/not-allowed')).toBeNull();
  });
});

describe('checking through a configured inference server', () => {
  it('attaches the server model with its label and host, and the result records the engine', async () => {
    const ep: InferenceEndpoint = { id: 'gpu1', label: '院内 GPU 服务器', baseUrl: open.url, models: [MODEL], judge: MODEL };
    configure([ep]);
    const id = endpointChoiceId(ep, MODEL);
    await select('verifier', id);
    await select('reward', id);
    expect(useModelSession.getState().verifier).toMatchObject({
      state: 'ready',
      choiceId: id,
      modelId: id,
      label: `${MODEL} · 院内 GPU 服务器`,
      contextTokens: 8192,
      remote: { label: '院内 GPU 服务器', host: new URL(open.url).host },
    });
    expect(useModelSession.getState().reward).toMatchObject({ state: 'ready', modelId: id, mode: 'judge' });

    const result = await currentRunner()({ text: fixtureText, options: { threshold: 0.3 }, signal: new AbortController().signal, onPartial: () => undefined });
    expect(result.models).toEqual({ verifier: id, reward: id });
    expect(result.verifierVerdict).toBe('has_error');
    expect(open.requests.some((r) => r.kind === 'judge')).toBe(true);
    const tr = (key: string, params?: Record<string, string | number>) => `${key} ${JSON.stringify(params ?? {})}`;
    expect(privacyLine(result, tr as never)).toContain('privacyRemote');
  });

  it('a server that wants a key: AUTH until the key is entered for the session; the key is stored nowhere', async () => {
    const ep: InferenceEndpoint = { id: 'secure', label: '安全服务器', baseUrl: locked.url, models: [MODEL] };
    configure([ep]);
    const id = endpointChoiceId(ep, MODEL);
    await select('verifier', id);
    expect(useModelSession.getState().verifier).toMatchObject({ state: 'error', error: { code: 'AUTH' } });
    setEndpointKey('secure', KEY);
    await select('verifier', id);
    expect(useModelSession.getState().verifier.state).toBe('ready');
    const result = await currentRunner()({ text: fixtureText, options: {}, signal: new AbortController().signal, onPartial: () => undefined });
    const everything = JSON.stringify([useModelSession.getState(), result, useAppStore.getState().config]);
    expect(everything).not.toContain(KEY);
    setEndpointKey('secure', '');
  });

  it('a choice whose server left the configuration is an error, not a silent fallback', async () => {
    configure([]);
    await select('verifier', 'openai:gone/model');
    expect(useModelSession.getState().verifier).toMatchObject({ state: 'error', error: { code: 'BAD_CONFIG' } });
    expect(sessionEngine('verifier')).toBeNull();
  });
});
