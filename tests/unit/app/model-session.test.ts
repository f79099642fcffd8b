// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { choicesFrom, recovering } from '../../../src/app/model-session';
import type { ModelEngine } from '../../../src/protocol/engine';
import { MedfactError } from '../../../src/protocol/errors';
import type { ModelInstallRecord } from '../../../src/storage/models-repo';
import { useAppStore } from '../../../src/stores/app-store';
import { createScriptedEngine } from '../../kit/scripted-engine';

function failing(code: MedfactError['code']): ModelEngine {
  const error = new MedfactError(code, 'boom');
  return createScriptedEngine(['{}'], { generateError: error, scoreError: error });
}

const ask = { messages: [{ role: 'user' as const, content: '?' }], maxTokens: 8, temperature: 0 };

describe('recovering engine (what the checker calls)', () => {
  it('asks for a reload when the GPU device is lost or memory runs out, and still reports the typed error', async () => {
    for (const code of ['DEVICE_LOST', 'OUT_OF_MEMORY'] as const) {
      const reload = vi.fn();
      const engine = recovering(failing(code), reload);
      await expect(engine.generate(ask)).rejects.toMatchObject({ code });
      await expect(engine.score({ kind: 'classify', text: 'x' })).rejects.toMatchObject({ code });
      expect(reload).toHaveBeenCalledTimes(2);
      expect(reload.mock.calls[0]?.[0]).toBeInstanceOf(MedfactError);
    }
  });

  it('does not reload for other errors, and passes results through untouched', async () => {
    const reload = vi.fn();
    await expect(recovering(failing('PARSE_FAILED'), reload).generate(ask)).rejects.toMatchObject({ code: 'PARSE_FAILED' });
    expect(reload).not.toHaveBeenCalled();
    const ok = recovering(createScriptedEngine(['{"has_error":false,"errors":[]}']), reload);
    const pieces: string[] = [];
    const result = await ok.generate(ask, { onChunk: (c) => pieces.push(c.text) });
    expect(result.text).toBe('{"has_error":false,"errors":[]}');
    expect(pieces.join('')).toBe(result.text);
    expect(reload).not.toHaveBeenCalled();
  });
});

describe('recovering engine and batched scoring', () => {
  it("keeps the engine's scoreBatch (one worker round trip), reloading on a lost device; an engine without one gets none", async () => {
    const reload = vi.fn();
    const lost: ModelEngine = { ...failing('DEVICE_LOST'), scoreBatch: () => Promise.reject(new MedfactError('DEVICE_LOST', 'boom')) };
    const engine = recovering(lost, reload);
    await expect(engine.scoreBatch?.([{ kind: 'classify', text: 'x' }])).rejects.toMatchObject({ code: 'DEVICE_LOST' });
    expect(reload).toHaveBeenCalledTimes(1);
    const scripted = createScriptedEngine([], { score: 0.4 });
    const batching: ModelEngine = { ...scripted, scoreBatch: (items) => Promise.all(items.map((p) => scripted.score(p))) };
    expect((await recovering(batching, reload).scoreBatch?.([{ kind: 'classify', text: 'x' }]))?.map((r) => r.score)).toEqual([0.4]);
    expect(recovering(createScriptedEngine([]), reload).scoreBatch).toBeUndefined();
  });
});

describe('model choices for the checker', () => {
  afterEach(() => useAppStore.setState(useAppStore.getInitialState()));

  const record = (over: Partial<ModelInstallRecord>): ModelInstallRecord => ({
    id: `transformers:${over.modelId}:q8`,
    modelId: 'x',
    engine: 'transformers',
    dtype: 'q8',
    source: { hubHost: 'http://127.0.0.1:9/' },
    origin: 'download',
    files: [],
    totalBytes: 1,
    state: 'installed',
    installedAt: 1,
    updatedAt: 1,
    ...over,
  });

  it('offers installed catalog models in the roles the catalog gives them, and nothing half-installed', () => {
    const common = { engine: 'transformers' as const, dtypes: ['q8' as const], sizeBytes: 1, description: { zh: 'd', en: 'd' } };
    useAppStore.setState({
      config: {
        ...useAppStore.getState().config,
        catalog: [
          { ...common, id: 'org/verifier', role: 'verifier', task: 'text-generation', label: { zh: '核查', en: 'Verifier' } },
          { ...common, id: 'org/reward', role: 'reward', task: 'text-classification', label: { zh: '评分', en: 'Reward' } },
        ],
      },
    });
    const choices = choicesFrom([
      record({ modelId: 'org/verifier', task: 'text-generation' }),
      record({ modelId: 'org/reward', task: 'text-classification' }),
      record({ modelId: 'org/verifier', id: 'transformers:org/verifier:q4', dtype: 'q4', state: 'partial' }),
      record({ modelId: 'not/in-catalog' }),
    ]);
    expect(choices).toEqual([
      { id: 'transformers:org/verifier:q8', role: 'verifier', label: '核查 · q8', modelId: 'org/verifier' },
      { id: 'transformers:org/reward:q8', role: 'reward', label: '评分 · q8', modelId: 'org/reward' },
    ]);
  });
});
