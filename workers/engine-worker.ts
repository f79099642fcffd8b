/**
 * The model engine's module worker. It serves the engine named by the `load`
 * spec; each engine library is imported only when first chosen, so WebLLM's
 * ~6 MB is fetched only by users who pick a WebLLM model.
 */
import type { EngineKind, ModelEngine } from '../src/protocol/engine';
import { serveEngine } from '../src/protocol/serve-engine';

async function createEngine(kind: EngineKind): Promise<ModelEngine> {
  switch (kind) {
    case 'transformers': {
      const { createTransformersEngine } = await import('./transformers-engine');
      return createTransformersEngine();
    }
    case 'webllm': {
      const { createWebLLMEngine } = await import('./webllm-engine');
      return createWebLLMEngine();
    }
    case 'openai': {
      // The base URL comes with the load spec (source.hubHost); an API key is given per session.
      const { createOpenAIEngine } = await import('./openai-engine');
      return createOpenAIEngine();
    }
  }
}

// `self` is typed for the page (lib DOM); in this file it is the worker scope.
const scope = self as unknown as DedicatedWorkerGlobalScope;
serveEngine(scope, createEngine);
