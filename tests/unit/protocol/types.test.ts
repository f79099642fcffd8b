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
import type { EngineMethods, ParamsOf, ProgressOf, ResultOf, ChunkOf } from '../../../src/protocol/messages';
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
});
