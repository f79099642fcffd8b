// The session client's reload-after-loss (issue 14): the real engine client and worker server over an
// in-process MessageChannel worker; only the model behind the server is FAKE (the test kit's command engine).
import { afterEach, describe, expect, it } from 'vitest';
import { createEngineClient } from '../../../src/client/engine-client';
import { createReloadingEngine, type ReloadEvent, type ReloadingEngine } from '../../../src/client/reloading-engine';
import type { GenerateParams } from '../../../src/protocol/engine';
import { serveEngine } from '../../../src/protocol/serve-engine';
import { FAKE_REPLY, createCommandEngine, fakeSpec } from '../../kit/engine-scripts';
import { scriptedEngineLog } from '../../kit/scripted-engine';
import { inProcessWorker, type InProcessWorker } from '../protocol/ports';

const ask = (content: string): GenerateParams => ({ messages: [{ role: 'user', content }], maxTokens: 64, temperature: 0 });

const opened: ReloadingEngine[] = [];
afterEach(() => {
  for (const engine of opened.splice(0)) engine.dispose();
});

function setup() {
  const probe = scriptedEngineLog();
  const workers: InProcessWorker[] = [];
  const startWorker = (): InProcessWorker => workers[workers.push(inProcessWorker((port) => serveEngine(port, () => createCommandEngine(probe)))) - 1] as InProcessWorker;
  const engine = createReloadingEngine(createEngineClient({ createWorker: startWorker }));
  opened.push(engine);
  const events: ReloadEvent[] = [];
  engine.onReload((event) => events.push(event));
  return { engine, probe, workers, events };
}

const settled = (events: ReloadEvent[]) => events.some((e) => e.type !== 'lost');

describe('reloading engine', () => {
  it('reloads the model by itself once after the worker crashes, then answers again', async () => {
    const { engine, probe, workers, events } = setup();
    await engine.load(fakeSpec());
    const pending = engine.generate(ask('slow'));
    workers[0]?.crash();
    await expect(pending).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
    await expect.poll(() => settled(events)).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['lost', 'reloaded']);
    expect(events[0]).toMatchObject({ reloading: true, error: { code: 'WORKER_CRASHED' } });
    expect(engine.model?.id).toBe('fake/model');
    expect(probe.loads).toEqual(['fake/model', 'fake/model']);
    expect((await engine.generate(ask('hello'))).text).toBe(FAKE_REPLY);

    // A second loss of the same model keeps the error: no reload loop.
    workers[1]?.crash();
    await expect.poll(() => events.length).toBe(3);
    expect(events[2]).toMatchObject({ type: 'lost', reloading: false });
    expect(probe.loads).toHaveLength(2);
    expect(engine.autoReloads).toBe(1);
  });

  it('reloads after a lost GPU device during generate and still reports the typed error; other errors do not reload', async () => {
    const { engine, probe, events } = setup();
    await engine.load(fakeSpec());
    await expect(engine.generate(ask('throw:PARSE_FAILED'))).rejects.toMatchObject({ code: 'PARSE_FAILED' });
    expect(events).toEqual([]);
    await expect(engine.generate(ask('throw:DEVICE_LOST'))).rejects.toMatchObject({ code: 'DEVICE_LOST' });
    await expect.poll(() => settled(events)).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['lost', 'reloaded']);
    expect(probe.loads).toEqual(['fake/model', 'fake/model']);
  });

  it('loading another model starts its own reload allowance; unloading forgets the model', async () => {
    const { engine, workers, events } = setup();
    await engine.load(fakeSpec());
    workers[0]?.crash();
    await expect.poll(() => settled(events)).toBe(true);
    expect(engine.autoReloads).toBe(1);
    await engine.load(fakeSpec('fake/other'));
    expect(engine.autoReloads).toBe(0);
    await engine.unload();
    expect(engine.spec).toBeNull();
    workers[1]?.crash();
    await expect.poll(() => events.length).toBe(3);
    expect(events[2]).toMatchObject({ type: 'lost', reloading: false });
  });
});
