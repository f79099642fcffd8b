/**
 * The same protocol across a real thread boundary (node:worker_threads), where
 * a crash, an exit or a blocked event loop are real, not simulated.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEngineClient, type EngineClient, type EngineClientEvent } from '../../../src/client/engine-client';
import type { GenerateParams } from '../../../src/protocol/engine';
import { MedfactError } from '../../../src/protocol/errors';
import type { WorkerLike } from '../../../src/protocol/messages';
import { FAKE_REPLY, fakeSpec } from '../../kit/engine-scripts';
import { liveNodeWorkers, nodeWorker } from './ports';

function ask(content: string): GenerateParams {
  return { messages: [{ role: 'user', content }], maxTokens: 64, temperature: 0 };
}

const clients: EngineClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose();
  // every thread the tests started must be gone (terminated, not leaked)
  await expect.poll(() => liveNodeWorkers.size, { timeout: 10_000 }).toBe(0);
});

function setup(
  entry: string,
  options: { heartbeatMs?: number; hangTimeoutMs?: number; startTimeoutMs?: number; maxConsecutiveLosses?: number } = {},
) {
  const started: WorkerLike[] = [];
  const client = createEngineClient({
    createWorker: () => {
      const worker = nodeWorker(entry);
      started.push(worker);
      return worker;
    },
    ...options,
  });
  clients.push(client);
  const events: EngineClientEvent[] = [];
  client.onEvent((event) => events.push(event));
  return { client, started, events };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MedfactError);
    return error instanceof MedfactError ? error.code : 'not typed';
  }
  return 'resolved';
}

describe('engine client over node:worker_threads', () => {
  it('loads and streams across threads', async () => {
    const { client } = setup('fake-engine-worker.ts');
    await client.load(fakeSpec());
    let streamed = '';
    const result = await client.generate(ask('hello'), { onChunk: (c) => (streamed += c.text) });
    expect(result.text).toBe(FAKE_REPLY);
    expect(streamed).toBe(FAKE_REPLY);
  });

  it.each(['crash', 'exit'])('a worker that dies (%s) rejects with WORKER_CRASHED and is replaced', async (how) => {
    const { client, started, events } = setup('fake-engine-worker.ts');
    await client.load(fakeSpec());
    expect(await codeOf(client.generate(ask(how)))).toBe('WORKER_CRASHED');
    expect(started).toHaveLength(2);
    expect(client.state).toBe('crashed');
    expect(events).toContainEqual(expect.objectContaining({ type: 'engine-lost', restarted: true }));
    await client.load(fakeSpec());
    expect((await client.generate(ask('hello'))).text).toBe(FAKE_REPLY);
  });

  it('a worker whose event loop blocks rejects with WORKER_TIMEOUT and is replaced', async () => {
    const { client, started } = setup('fake-engine-worker.ts', { heartbeatMs: 50, hangTimeoutMs: 500 });
    await client.load(fakeSpec());
    expect(await codeOf(client.generate(ask('hang')))).toBe('WORKER_TIMEOUT');
    expect(started).toHaveLength(2);
    await client.load(fakeSpec());
    expect((await client.generate(ask('hello'))).text).toBe(FAKE_REPLY);
  });

  it('a worker that starts slower than the hang timeout is not reported as hung', async () => {
    // The start-up blocks for 1.5 s, three times the hang timeout: only silence after the first answer is a hang.
    const { client, started } = setup('slow-start-worker.ts', { heartbeatMs: 50, hangTimeoutMs: 500 });
    await client.load(fakeSpec());
    expect((await client.generate(ask('hello'))).text).toBe(FAKE_REPLY);
    expect(started).toHaveLength(1);
  });

  it('a worker that never finishes starting is reported once its start budget is spent', async () => {
    const { client, events } = setup('never-starts-worker.ts', { heartbeatMs: 50, hangTimeoutMs: 200, startTimeoutMs: 1_000, maxConsecutiveLosses: 0 });
    let caught: unknown;
    await client.load(fakeSpec()).catch((error: unknown) => (caught = error));
    expect(caught).toBeInstanceOf(MedfactError);
    expect((caught as MedfactError).code).toBe('WORKER_TIMEOUT');
    expect((caught as MedfactError).message).toMatch(/did not start/);
    expect(events).toContainEqual(expect.objectContaining({ type: 'engine-lost', restarted: false }));
  });

  it('a worker that cannot start is retried a bounded number of times, then reported, never a hang', async () => {
    const { client, started, events } = setup('broken-worker.ts', { maxConsecutiveLosses: 2 });
    expect(await codeOf(client.load(fakeSpec()))).toBe('WORKER_CRASHED');
    // each replacement dies too; the client gives up after two restarts in a row
    await expect.poll(() => client.health, { timeout: 20_000 }).toBe('failed');
    expect(started).toHaveLength(3);
    const lost = events.filter((event) => event.type === 'engine-lost');
    expect(lost.at(-1)).toMatchObject({ restarted: false });
    expect(client.state).toBe('crashed');
  });
});
