import { describe, expect, it } from 'vitest';
import type { LoadProgress } from '../../../src/protocol/engine';
import { createGuardedFetch, originalFetch } from '../../../workers/engine-shared/fetch-guard';
import { createProgressTracker } from '../../../workers/engine-shared/progress';
import { classifyFromLogits, judgeFromLogits } from '../../../workers/engine-shared/scoring';
import { classifyEngineError } from '../../../workers/engine-shared/classify-error';

describe('mirror-only fetch guard', () => {
  it('passes the mirror through and refuses other hosts, including look-alike prefixes', async () => {
    const seen: string[] = [];
    const guarded = createGuardedFetch(['https://mirror.example.org/models'], async (input) => {
      seen.push(String(input));
      return new Response('ok');
    });
    await expect(guarded('https://mirror.example.org/models/org/m/resolve/main/config.json')).resolves.toBeInstanceOf(Response);
    await expect(guarded('https://huggingface.co/org/m/resolve/main/config.json')).rejects.toMatchObject({ code: 'DOWNLOAD_FORBIDDEN' });
    await expect(guarded('https://mirror.example.org.evil.com/models/x')).rejects.toMatchObject({ code: 'DOWNLOAD_FORBIDDEN' });
    await expect(guarded('https://mirror.example.org/modelsX/x')).rejects.toMatchObject({ code: 'DOWNLOAD_FORBIDDEN' });
    expect(seen).toEqual(['https://mirror.example.org/models/org/m/resolve/main/config.json']);
  });
});

describe('a second guard in the same realm', () => {
  it('wraps the library fetch under the first guard, so it reaches its own mirror and nothing else', async () => {
    const reached: string[] = [];
    const library = async (input: string | URL | Request): Promise<Response> => {
      reached.push(String(input));
      return new Response('ok');
    };
    const first = createGuardedFetch(['http://127.0.0.1:1111/'], library);
    expect(originalFetch(first)).toBe(library);
    expect(originalFetch(library)).toBe(library);
    // What the engine now does when it finds the first guard installed.
    const second = createGuardedFetch(['http://127.0.0.1:2222/'], originalFetch(first));
    await expect(second('http://127.0.0.1:2222/m/config.json')).resolves.toBeInstanceOf(Response);
    await expect(second('http://127.0.0.1:1111/m/config.json')).rejects.toMatchObject({ code: 'DOWNLOAD_FORBIDDEN' });
    // Wrapping the first guard instead (the old behaviour) refuses the second mirror.
    const stacked = createGuardedFetch(['http://127.0.0.1:2222/'], first);
    await expect(stacked('http://127.0.0.1:2222/m/config.json')).rejects.toMatchObject({ code: 'DOWNLOAD_FORBIDDEN' });
    expect(reached).toEqual(['http://127.0.0.1:2222/m/config.json']);
  });
});

describe('progress tracker', () => {
  it('never goes down as new files are discovered, and ends at exactly 1 once', () => {
    const seen: LoadProgress[] = [];
    const t = createProgressTracker((p) => seen.push(p));
    t.initiate('a');
    t.download('a', 50, 100);
    t.download('a', 100, 100);
    t.initiate('b'); // total grows: the raw ratio would drop
    t.download('b', 10, 1000);
    t.done('b');
    t.compile(1);
    t.warmup();
    t.ready();
    t.ready();
    const f = seen.map((p) => p.progress);
    for (let i = 1; i < f.length; i++) expect(f[i]).toBeGreaterThanOrEqual(f[i - 1] ?? 0);
    expect(seen.filter((p) => p.status === 'ready')).toEqual([{ status: 'ready', progress: 1 }]);
    expect(seen.find((p) => p.status === 'download' && p.file === 'b')).toMatchObject({ totalLoaded: 110, totalBytes: 1100 });
  });
});

describe('scoring helpers', () => {
  it('judge score is p(yes)/(p(yes)+p(no)) over the softmax of the row', () => {
    const row = [0, Math.log(3), Math.log(1), 5];
    const r = judgeFromLogits(row, 1, 2);
    expect(r.score).toBeCloseTo(0.75, 10);
    const z = 1 + 3 + 1 + Math.exp(5);
    expect(r.raw.pYes).toBeCloseTo(3 / z, 10);
    expect(r.raw.pNo).toBeCloseTo(1 / z, 10);
  });

  it('classifier picks the error label by default, LABEL_1 next, and sigmoid for one logit', () => {
    expect(classifyFromLogits([0, Math.log(3)], { '0': 'error', '1': 'correct' }).score).toBeCloseTo(0.25, 10);
    expect(classifyFromLogits([0, Math.log(3)], {}).label).toBe('LABEL_1');
    expect(classifyFromLogits([0], { '0': 'reward' }).score).toBeCloseTo(0.5, 10);
    expect(() => classifyFromLogits([0, 1, 2], { '0': 'a', '1': 'b', '2': 'c' })).toThrow(expect.objectContaining({ code: 'BAD_CONFIG' }));
  });
});

describe('engine error classification', () => {
  it.each([
    ['Could not locate file: "https://m/x/resolve/main/config.json".', 'NOT_FOUND'],
    ['no available backend found. ERR: [webgpu] Error: Failed to get GPU adapter', 'NO_WEBGPU'],
    ['no available backend found. ERR: [wasm] TypeError: Failed to fetch dynamically imported module', 'BAD_CONFIG'],
    ['This model requires WebGPU extension shader-f16, which is not enabled in this browser.', 'NO_SHADER_F16'],
    ['The WebGPU device was lost while loading the model. This issue often occurs due to running out of memory (OOM).', 'DEVICE_LOST'],
    ['std::bad_alloc', 'OUT_OF_MEMORY'],
  ])('%s → %s', (message, code) => {
    expect(classifyEngineError(message, { phase: 'load' }).code).toBe(code);
    expect(classifyEngineError(new Error(message), { phase: 'load' }).code).toBe(code);
  });
});
