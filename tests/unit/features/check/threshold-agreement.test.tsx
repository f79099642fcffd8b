// @vitest-environment happy-dom
// After a slider move, the checker's verdict, the exported reports, the stored record and the history row agree
// (issue 14: the threshold is applied in one place, core/threshold.ts).
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CheckScreen } from '../../../../src/features/check/check-screen';
import { resetCheckStore, useCheckStore } from '../../../../src/features/check/check-store';
import { attachSessionModel, resetSessionEngines } from '../../../../src/stores/session-engines';
import { toJsonReport, toMarkdown } from '../../../../src/features/check/report-export';
import { HistoryScreen } from '../../../../src/features/history/history-screen';
import { useLocaleStore } from '../../../../src/i18n';
import { getCheck } from '../../../../src/storage/checks-repo';
import { answerFor, scoreByQuote } from '../../../kit/engine-scripts';
import { createScriptedEngine } from '../../../kit/scripted-engine';
import { enableReactAct, wipeAppDb } from '../../../fixtures/app-db';

const TEXT = '华法林过量引起出血时，可静脉注射鱼精蛋白拮抗其作用。儿童退热首选阿司匹林。';

beforeAll(enableReactAct);

describe('threshold: one verdict everywhere', () => {
  beforeEach(async () => {
    await wipeAppDb();
    resetCheckStore();
    resetSessionEngines();
    useLocaleStore.getState().reset();
  });
  afterEach(cleanup);

  it('after a slider move the shown verdict, the exports, the stored record and the history row say the same', async () => {
    const answer = answerFor([
      { quote: '鱼精蛋白', med: true, fix: '维生素K1', why: '鱼精蛋白用于拮抗肝素。' },
      { quote: '阿司匹林', fix: '对乙酰氨基酚', why: '儿童用阿司匹林可致瑞氏综合征。' },
    ]);
    attachSessionModel('verifier', { engine: createScriptedEngine([answer], { charsPerToken: 1000, chunkDelayMs: null }), id: 'fixture/tiny-verifier', contextTokens: 4096 });
    attachSessionModel('reward', { engine: createScriptedEngine([''], { chunkDelayMs: null, score: scoreByQuote({ 鱼精蛋白: 0.7, 阿司匹林: 0.6 }) }), id: 'fixture/tiny-reward', mode: 'classify' });
    const checker = render(<CheckScreen />);
    fireEvent.change(screen.getByTestId('check-input'), { target: { value: TEXT } });
    fireEvent.keyDown(screen.getByTestId('check-input'), { key: 'Enter', ctrlKey: true });
    await waitFor(() => expect(screen.getByTestId('check-verdict').getAttribute('data-verdict')).toBe('has_error'));
    const id = useCheckStore.getState().current?.id ?? '';

    // Above both findings' confidence: nothing is kept, the verdict turns to no error.
    fireEvent.change(screen.getByTestId('check-threshold'), { target: { value: '0.9' } });
    expect(screen.getByTestId('check-verdict').getAttribute('data-verdict')).toBe('no_error');
    const current = useCheckStore.getState().current;
    if (!current) throw new Error('no check shown');
    expect(current.result.verdict).toBe('no_error');
    expect(toJsonReport(current).check.verdict).toBe('no_error');
    expect(toJsonReport(current).findings.every((f) => !f.kept)).toBe(true);
    expect(toMarkdown(current, 'zh-CN')).toContain('**未发现错误**');
    // The slider's write to the history lands after a short delay; the stored verdict is not stale.
    await waitFor(async () => expect((await getCheck(id))?.result.verdict).toBe('no_error'));
    expect((await getCheck(id))?.threshold).toBe(0.9);
    checker.unmount();

    render(<HistoryScreen />);
    await waitFor(() => expect(screen.getAllByTestId('history-item')).toHaveLength(1));
    const row = screen.getByTestId('history-item');
    expect(row.getAttribute('data-verdict')).toBe('no_error');
    expect(row.textContent).toContain('未发现错误');
  });
});
