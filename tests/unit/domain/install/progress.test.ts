import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createInstallProgress } from '../../../../src/domain/install/progress';
import type { InstallProgress } from '../../../../src/domain/install/types';

describe('install progress', () => {
  it('never goes down and ends at exactly 1, whatever the events', () => {
    const event = fc.oneof(
      fc.record({ kind: fc.constant('download' as const), file: fc.constantFrom('a', 'b', 'c'), loaded: fc.nat(5000), total: fc.option(fc.nat(5000)), received: fc.nat(500) }),
      fc.record({ kind: fc.constant('done' as const), file: fc.constantFrom('a', 'b', 'c') }),
      fc.record({ kind: fc.constant('verify' as const), file: fc.constantFrom('a', 'b', 'c') }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), fc.array(fc.option(fc.nat(4000)), { minLength: 3, maxLength: 3 }), (events, sizes) => {
        const seen: InstallProgress[] = [];
        let t = 0;
        const tracker = createInstallProgress((p) => seen.push(p), () => (t += 100));
        tracker.setFiles(['a', 'b', 'c'].map((path, i) => ({ path, size: sizes[i] ?? null })));
        for (const e of events) {
          if (e.kind === 'download') tracker.download(e.file, e.loaded, e.total, e.received, false);
          else if (e.kind === 'verify') tracker.verify(e.file);
          else tracker.fileDone(e.file, false);
        }
        tracker.done();
        for (let i = 1; i < seen.length; i++) expect(seen[i]!.progress).toBeGreaterThanOrEqual(seen[i - 1]!.progress);
        for (const p of seen) {
          expect(p.progress).toBeGreaterThanOrEqual(0);
          expect(p.progress).toBeLessThanOrEqual(1);
          if (p.status !== 'done') expect(p.progress).toBeLessThan(1);
        }
        expect(seen.at(-1)).toMatchObject({ status: 'done', progress: 1 });
      }),
    );
  });

  it('reports bytes, a smoothed speed and the time left', () => {
    let now = 0;
    const seen: InstallProgress[] = [];
    const tracker = createInstallProgress((p) => seen.push(p), () => now);
    tracker.setFiles([{ path: 'w.onnx', size: 10_000 }]);
    // 1000 bytes every 500 ms = 2000 B/s
    for (let i = 1; i <= 4; i++) {
      now = i * 500;
      tracker.download('w.onnx', i * 1000, 10_000, 1000, false);
    }
    const last = seen.at(-1);
    expect(last?.status).toBe('download');
    if (last?.status !== 'download') return;
    expect(last.fileLoaded).toBe(4000);
    expect(last.loaded).toBe(4000);
    expect(last.total).toBe(10_000);
    expect(last.bytesPerSecond).toBeGreaterThan(1500);
    expect(last.bytesPerSecond).toBeLessThan(2500);
    // 6000 bytes left at about 2000 B/s
    expect(last.etaSeconds).toBeGreaterThan(2);
    expect(last.etaSeconds).toBeLessThan(4);
    expect(last.progress).toBeCloseTo(0.4 * 0.99, 5);
  });

  it('ignores further events after done and survives a throwing listener', () => {
    const seen: string[] = [];
    const tracker = createInstallProgress((p) => {
      seen.push(p.status);
      throw new Error('listener bug');
    });
    tracker.setFiles([{ path: 'a', size: 1 }]);
    tracker.fileDone('a', true);
    tracker.done();
    tracker.download('a', 1, 1, 1, false);
    expect(seen).toEqual(['file-done', 'done']);
    expect(tracker.progress).toBe(1);
  });
});
