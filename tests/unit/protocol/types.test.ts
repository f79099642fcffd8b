/**
 * Compile-time contract: the params, result, progress and chunk types follow
 * from the method name. `tsc` checks this file; vitest runs the trivial body.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { EngineClient } from '../../../src/client/engine-client';
import type { WorkerClient } from '../../../src/client/worker-client';
import type {
  GenerateChunk,
  GenerateParams,
  GenerateResult,
  LoadProgress,
  LoadResult,
  ModelEngine,
  ModelSpec,
  ScoreParams,
  ScoreResult,
} from '../../../src/protocol/engine';
import type { EngineMethods } from '../../../src/protocol/engine-protocol';
import type { ParamsOf, ProgressOf, ResultOf, ChunkOf } from '../../../src/protocol/messages';
import type { Handlers } from '../../../src/protocol/worker-server';

describe('protocol types', () => {
  it('derive payloads from the method', () => {
    expectTypeOf<ParamsOf<EngineMethods, 'load'>>().toEqualTypeOf<ModelSpec>();
    expectTypeOf<ResultOf<EngineMethods, 'load'>>().toEqualTypeOf<LoadResult>();
    expectTypeOf<ProgressOf<EngineMethods, 'load'>>().toEqualTypeOf<LoadProgress>();
    expectTypeOf<ParamsOf<EngineMethods, 'generate'>>().toEqualTypeOf<GenerateParams>();
    expectTypeOf<ChunkOf<EngineMethods, 'generate'>>().toEqualTypeOf<GenerateChunk>();
    expectTypeOf<ResultOf<EngineMethods, 'generate'>>().toEqualTypeOf<GenerateResult>();
    expectTypeOf<ParamsOf<EngineMethods, 'score'>>().toEqualTypeOf<ScoreParams>();
    expectTypeOf<ResultOf<EngineMethods, 'score'>>().toEqualTypeOf<ScoreResult>();
  });

  it('type the client request by method', () => {
    type Request = WorkerClient<EngineMethods>['request'];
    const request = (() => Promise.reject(new Error('type test only'))) as unknown as Request;
    expectTypeOf(request<'score'>).returns.toEqualTypeOf<Promise<ScoreResult>>();
    expectTypeOf(request<'load'>).parameter(1).toEqualTypeOf<ModelSpec>();
    if (Math.random() > 2) {
      // @ts-expect-error generate takes GenerateParams, not a ModelSpec
      void request('generate', {} as ModelSpec);
      // @ts-expect-error no such method
      void request('fly', undefined);
      // @ts-expect-error load streams progress, not chunks of text
      void request('load', {} as ModelSpec, { onProgress: (p: GenerateChunk) => p });
    }
  });

  it('make handlers return what the method promises', () => {
    expectTypeOf<ReturnType<Handlers<EngineMethods>['score']>>().toEqualTypeOf<ScoreResult | Promise<ScoreResult>>();
    expectTypeOf<Parameters<Handlers<EngineMethods>['generate']>[0]>().toEqualTypeOf<GenerateParams>();
  });

  it('let the engine client stand in for any ModelEngine', () => {
    expectTypeOf<EngineClient>().toExtend<ModelEngine>();
  });

  it('derive ModelEngine and the client from the one declaration', () => {
    // ModelEngine's methods follow from engine-protocol.ts: params, options with the streamed payload, result.
    expectTypeOf<Parameters<ModelEngine['load']>[0]>().toEqualTypeOf<ModelSpec>();
    expectTypeOf<ReturnType<ModelEngine['generate']>>().toEqualTypeOf<Promise<GenerateResult>>();
    expectTypeOf<ReturnType<ModelEngine['unload']>>().toEqualTypeOf<Promise<void>>();
    // scoreBatch is optional for engines, always there on the client (the worker falls back).
    expectTypeOf<ModelEngine['scoreBatch']>().toEqualTypeOf<EngineClient['scoreBatch'] | undefined>();
    expectTypeOf<Parameters<EngineClient['scoreBatch']>[0]>().toEqualTypeOf<ScoreParams[]>();
    expectTypeOf<ReturnType<EngineClient['scoreBatch']>>().toEqualTypeOf<Promise<ScoreResult[]>>();
    if (Math.random() > 2) {
      const engine = {} as ModelEngine;
      // @ts-expect-error load streams progress, not chunks
      void engine.load({} as ModelSpec, { onChunk: () => undefined });
      // @ts-expect-error unload takes no params, only options
      void engine.unload({} as ModelSpec);
    }
  });
});
