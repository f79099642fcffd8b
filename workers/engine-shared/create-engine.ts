/**
 * The engine factory both worker entries serve (the engine worker and the
 * bench worker): each engine library is imported only when first chosen, so
 * WebLLM's ~6 MB is fetched only by users who pick a WebLLM model.
 */
import type { EngineKind, ModelEngine } from '../../src/protocol/engine';

export async function createEngine(kind: EngineKind): Promise<ModelEngine> {
  switch (kind) {
    case 'transformers': {
      const { createTransformersEngine } = await import('../transformers-engine');
      return createTransformersEngine();
    }
    case 'webllm': {
      const { createWebLLMEngine } = await import('../webllm-engine');
      return createWebLLMEngine();
    }
    case 'openai': {
      // The base URL comes with the load spec (source.hubHost); an API key is given per session.
      const { createOpenAIEngine } = await import('../openai-engine');
      return createOpenAIEngine();
    }
  }
}
