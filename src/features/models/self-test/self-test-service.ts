/**
 * Starts and cancels the self-test for the screen: one engine client (one
 * worker) per device, disposed after its run, so WebGPU and WASM never share
 * a process and a crash in one leaves the other clean.
 */
import { createEngineClient } from '../../../client/engine-client';
import { createEngineWorker } from '../../../client/engine-worker-factory';
import type { CatalogModel } from '../../../domain/catalog/schema';
import type { Capabilities } from '../../../protocol/capabilities';
import type { ModelSource } from '../../../protocol/engine';
import { isAbortError, serializeError } from '../../../protocol/errors';
import { SELFTEST_CLASSIFY_CASES, SELFTEST_JUDGE_CASES, SELFTEST_PROMPTS } from './prompts';
import { planClassifier, planSelfTest, runSelfTest, type DisposableEngine, type SelfTestDevice } from './run-self-test';
import { useSelfTestStore } from './self-test-store';

/** Greedy tokens per prompt: enough to see divergence, small enough for a slow CPU. */
export const DEFAULT_SELFTEST_MAX_TOKENS = 64;
export const MAX_SELFTEST_MAX_TOKENS = 512;

let controller: AbortController | null = null;
let engineFactory: ((device: SelfTestDevice) => DisposableEngine) | null = null;

/** Tests may run the screen on in-process engines. */
export function setSelfTestEngineFactoryForTesting(factory: ((device: SelfTestDevice) => DisposableEngine) | null): void {
  engineFactory = factory;
}

function appEngine(): DisposableEngine {
  return createEngineClient({ createWorker: createEngineWorker });
}

function appVersion(): string {
  return typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';
}

export interface StartSelfTestInput {
  entry: CatalogModel;
  capabilities: Capabilities;
  source: ModelSource;
  maxTokens: number;
  /** A reward classifier (text-classification) to score on both devices too. */
  classifier?: CatalogModel | null;
}

export async function startSelfTest(input: StartSelfTestInput): Promise<void> {
  const store = useSelfTestStore.getState();
  if (store.status === 'running') return;
  const own = new AbortController();
  controller = own;
  store.start(input.entry.id);
  try {
    const report = await runSelfTest({
      entry: input.entry,
      plan: planSelfTest(input.entry, input.capabilities, input.source),
      capabilities: input.capabilities,
      prompts: SELFTEST_PROMPTS,
      maxTokens: input.maxTokens,
      judgeCases: SELFTEST_JUDGE_CASES,
      interrupt: true,
      prefixReuse: true,
      ...(input.classifier
        ? {
            classifier: {
              entry: input.classifier,
              plan: planClassifier(input.classifier, input.capabilities, input.source),
              cases: SELFTEST_CLASSIFY_CASES,
            },
          }
        : {}),
      createEngine: engineFactory ?? appEngine,
      signal: own.signal,
      onEvent: (event) => useSelfTestStore.getState().apply(event),
      appVersion: appVersion(),
    });
    useSelfTestStore.getState().finish(report);
  } catch (error) {
    if (isAbortError(error)) useSelfTestStore.getState().cancelled();
    else useSelfTestStore.getState().fail(serializeError(error));
  } finally {
    if (controller === own) controller = null;
  }
}

export function cancelSelfTest(): void {
  controller?.abort();
}
