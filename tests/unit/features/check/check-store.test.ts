import { beforeEach, describe, expect, it } from 'vitest';
import { isStale, resetCheckStore, useCheckStore, type CheckRunner } from '../../../../src/features/check/check-store';
import { MedfactError } from '../../../../src/protocol/errors';
import { findingAt, makeResult } from '../../../kit/check-records';

const text = '胰岛素由胰岛α细胞分泌。';
const result = makeResult([findingAt(text, '胰岛α细胞', { id: 'f', correction: '胰岛β细胞', type: 'terminological' })]);

describe('check store', () => {
  beforeEach(() => resetCheckStore());

  it('runs with the chosen settings and shows the result as a record', async () => {
    let seen: Parameters<CheckRunner>[0] | undefined;
    const runner: CheckRunner = async (req) => {
      seen = req;
      req.onPartial({ stage: 'generate', chunkIndex: 0, chunkCount: 1, sampleIndex: 0, sampleCount: 3, tokens: 5, tokensPerSecond: 10, streamedText: '{' });
      return result;
    };
    const s = useCheckStore.getState();
    s.setInput(text);
    s.setSettings({ samples: 3, variant: 'reasoning' });
    await s.runCheck(runner);
    expect(seen?.options).toMatchObject({ samples: 3, variant: 'reasoning' });
    const { current, phase } = useCheckStore.getState();
    expect(phase).toBe('idle');
    expect(current?.text).toBe(text);
    expect(current?.models.verifier).toBe('fixture/tiny-verifier');
  });

  it('a failure keeps the text and says what went wrong; a cancel is quiet', async () => {
    const s = useCheckStore.getState();
    s.setInput(text);
    await s.runCheck(async () => {
      throw new MedfactError('OUT_OF_MEMORY', 'out of memory');
    });
    expect(useCheckStore.getState()).toMatchObject({ phase: 'error', input: text });
    expect(useCheckStore.getState().error?.code).toBe('OUT_OF_MEMORY');

    const pending = s.runCheck(
      (req) =>
        new Promise((_, reject) => {
          req.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    );
    s.cancel();
    await pending;
    expect(useCheckStore.getState()).toMatchObject({ phase: 'idle', error: null, input: text });
  });

  it('does not run on empty text', async () => {
    let called = false;
    useCheckStore.getState().setInput('  \n ');
    await useCheckStore.getState().runCheck(async () => {
      called = true;
      return result;
    });
    expect(called).toBe(false);
  });

  it('accept is blocked once the text was edited by hand; undo and the review still work', async () => {
    const s = useCheckStore.getState();
    s.setInput(text);
    await s.runCheck(async () => result);
    s.accept('f');
    expect(useCheckStore.getState().input).toBe('胰岛素由胰岛β细胞分泌。');
    s.undo();
    expect(useCheckStore.getState().input).toBe(text);
    s.setInput(`${text}补充一句。`);
    expect(isStale(useCheckStore.getState())).toBe(true);
    s.accept('f');
    expect(useCheckStore.getState().review.accepted).toEqual([]);
    s.dismiss('f');
    expect(useCheckStore.getState().review.dismissed).toEqual(['f']);
    // A review step never overwrites a hand-edited text.
    expect(useCheckStore.getState().input).toBe(`${text}补充一句。`);
  });

  it('the threshold re-filters the shown record without a new run', async () => {
    const s = useCheckStore.getState();
    s.setInput(text);
    let runs = 0;
    await s.runCheck(async () => {
      runs++;
      return result;
    });
    s.setThreshold(0.95);
    expect(useCheckStore.getState().current?.threshold).toBe(0.95);
    expect(useCheckStore.getState().settings.threshold).toBe(0.95);
    s.setThreshold(7);
    expect(useCheckStore.getState().settings.threshold).toBe(1);
    expect(runs).toBe(1);
  });
});
