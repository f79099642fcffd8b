// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CheckScreen } from '../../../../src/features/check/check-screen';
import { resetCheckStore, useCheckStore } from '../../../../src/features/check/check-store';
import { useEngineSession } from '../../../../src/features/check/engine-session';
import { useLocaleStore } from '../../../../src/i18n';
import { closeAppDb, DB_NAME } from '../../../../src/storage/db';
import { listChecks } from '../../../../src/storage/checks-repo';
import { answerFor, scoreByQuote } from '../../../kit/engine-scripts';
import { createScriptedEngine } from '../../../kit/scripted-engine';

const TEXT = '华法林过量引起出血时，可静脉注射鱼精蛋白拮抗其作用。儿童退热首选阿司匹林。';
const ANSWER = answerFor([
  { quote: '鱼精蛋白', med: true, fix: '维生素K1', why: '鱼精蛋白用于拮抗肝素。' },
  { quote: '阿司匹林', fix: '对乙酰氨基酚', why: '儿童用阿司匹林可致瑞氏综合征。' },
]);

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

async function wipeDb(): Promise<void> {
  await closeAppDb();
  await new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(DB_NAME);
    req.onsuccess = req.onerror = () => resolve();
  });
}

function attach(answer: string, scores?: Record<string, number>) {
  // Instant engines (no timers): a check settles within React's act() flush, as a cached answer would.
  const verifier = createScriptedEngine([answer], { charsPerToken: 1000, chunkDelayMs: null });
  const reward = createScriptedEngine([''], { chunkDelayMs: null, score: scoreByQuote(scores ?? {}) });
  useEngineSession.getState().attachVerifier({ engine: verifier, id: 'fixture/tiny-verifier', contextTokens: 4096 });
  useEngineSession.getState().attachReward({ engine: reward, id: 'fixture/tiny-reward', mode: 'classify' });
  return verifier;
}

function input(): HTMLTextAreaElement {
  return screen.getByTestId('check-input') as HTMLTextAreaElement;
}

async function checkText(text: string): Promise<void> {
  fireEvent.change(input(), { target: { value: text } });
  // Ctrl+Enter in the text area runs the check.
  fireEvent.keyDown(input(), { key: 'Enter', ctrlKey: true });
  await waitFor(() => expect(screen.getByTestId('check-verdict')).toBeTruthy());
}

function spans(): HTMLElement[] {
  return screen.queryAllByTestId('check-span');
}

describe('CheckScreen', () => {
  beforeEach(async () => {
    await wipeDb();
    resetCheckStore();
    useEngineSession.getState().reset();
    useLocaleStore.getState().reset();
  });
  afterEach(cleanup);

  it('disables the check button on empty text and says why', () => {
    attach(ANSWER);
    render(<CheckScreen />);
    const run = screen.getByTestId('check-run') as HTMLButtonElement;
    expect(run.disabled).toBe(true);
    const reason = screen.getByTestId('check-run-reason');
    expect(reason.textContent).toContain('请先粘贴或输入');
    expect(run.getAttribute('aria-describedby')).toBe(reason.id);
    fireEvent.change(input(), { target: { value: '   ' } });
    expect(run.disabled).toBe(true);
    fireEvent.change(input(), { target: { value: TEXT } });
    expect((screen.getByTestId('check-run') as HTMLButtonElement).disabled).toBe(false);
  });

  it('says a model is needed when none is loaded', async () => {
    render(<CheckScreen />);
    fireEvent.change(input(), { target: { value: TEXT } });
    expect((screen.getByTestId('check-run') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('check-run-reason').textContent).toContain('尚未加载核查模型');
    expect(screen.getByTestId('check-first-run').textContent).toContain('不会离开本设备');
    // The hardware probe settles into a statement about this device.
    await waitFor(() => expect(screen.getByTestId('check-first-run').textContent).toMatch(/显卡|CPU|无法给出推荐/));
  });

  it('highlights exactly the quoted errors with UTF-16 offsets, type and a card each, and saves to history', async () => {
    attach(ANSWER);
    render(<CheckScreen />);
    await checkText(TEXT);
    const verdict = screen.getByTestId('check-verdict');
    expect(verdict.getAttribute('data-verdict')).toBe('has_error');
    expect(verdict.textContent).toContain('有误');
    const marks = spans();
    expect(marks).toHaveLength(2);
    const drug = marks.find((m) => m.textContent === '鱼精蛋白');
    expect(drug?.getAttribute('data-start')).toBe(String(TEXT.indexOf('鱼精蛋白')));
    expect(drug?.getAttribute('data-end')).toBe(String(TEXT.indexOf('鱼精蛋白') + 4));
    expect(drug?.getAttribute('data-type')).toBe('conceptual');
    expect(drug?.getAttribute('data-critical')).toBe('true');
    for (const m of marks) {
      expect(TEXT.slice(Number(m.dataset.start), Number(m.dataset.end))).toBe(m.textContent);
    }
    const cards = screen.getAllByTestId('check-finding');
    expect(cards).toHaveLength(2);
    expect(cards[0]?.textContent).toContain('维生素K1');
    expect(cards[0]?.textContent).toContain('安全关键');
    // The highlight's screen-reader description names the finding.
    const descId = drug?.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(descId)?.textContent).toContain('概念性错误');
    await waitFor(async () => expect(await listChecks()).toHaveLength(1));
    const [saved] = await listChecks();
    expect(saved?.text).toBe(TEXT);
    expect(saved?.models).toEqual({ verifier: 'fixture/tiny-verifier', reward: 'fixture/tiny-reward' });
    expect(saved?.promptVersion).toBeTruthy();
  });

  it('shifts the highlight by exactly two UTF-16 units when an emoji precedes the error', async () => {
    attach(ANSWER);
    render(<CheckScreen />);
    await checkText(TEXT);
    const before = Number(spans().find((m) => m.textContent === '鱼精蛋白')?.dataset.start);
    await checkText(`😀${TEXT}`);
    const after = spans().find((m) => m.textContent === '鱼精蛋白');
    expect(Number(after?.dataset.start)).toBe(before + 2);
    expect(Number(after?.dataset.end)).toBe(before + 6);
  });

  it('accepting a correction changes the text; undo restores it; dismiss keeps the finding for review', async () => {
    attach(ANSWER);
    render(<CheckScreen />);
    await checkText(TEXT);
    const card = screen.getAllByTestId('check-finding').find((c) => c.textContent?.includes('鱼精蛋白'));
    fireEvent.click(within(card as HTMLElement).getByTestId('check-accept'));
    expect(input().value).toBe(TEXT.replace('鱼精蛋白', '维生素K1'));
    fireEvent.click(screen.getByTestId('check-undo'));
    expect(input().value).toBe(TEXT);
    fireEvent.click(screen.getByTestId('check-redo'));
    expect(input().value).toBe(TEXT.replace('鱼精蛋白', '维生素K1'));

    const other = screen.getAllByTestId('check-finding').find((c) => c.textContent?.includes('阿司匹林'));
    fireEvent.click(within(other as HTMLElement).getByTestId('check-dismiss'));
    const dismissed = screen.getAllByTestId('check-finding').find((c) => c.textContent?.includes('阿司匹林'));
    expect(dismissed?.getAttribute('data-state')).toBe('dismissed');
    expect(spans().map((m) => m.textContent)).toEqual(['鱼精蛋白']);
    await waitFor(async () => {
      const [saved] = await listChecks();
      expect(saved?.review.dismissed).toHaveLength(1);
      expect(saved?.review.accepted).toHaveLength(1);
    });
  });

  it('the threshold slider hides a low-confidence finding without running the model again', async () => {
    const verifier = attach(ANSWER, { 鱼精蛋白: 0.95, 阿司匹林: 0.6 });
    render(<CheckScreen />);
    await checkText(TEXT);
    expect(screen.getAllByTestId('check-finding')).toHaveLength(2);
    const runs = verifier.generateCalls.length;
    fireEvent.change(screen.getByTestId('check-threshold'), { target: { value: '0.8' } });
    expect(screen.getAllByTestId('check-finding')).toHaveLength(1);
    expect(spans().map((m) => m.textContent)).toEqual(['鱼精蛋白']);
    expect(screen.getByTestId('check-verdict').textContent).toContain('1 条低于阈值已隐藏');
    fireEvent.change(screen.getByTestId('check-threshold'), { target: { value: '0.99' } });
    expect(screen.queryAllByTestId('check-finding')).toHaveLength(0);
    expect(screen.getByTestId('check-verdict').getAttribute('data-verdict')).toBe('no_error');
    expect(verifier.generateCalls.length).toBe(runs);
  });

  it('shows pasted HTML as text, never as markup', async () => {
    const html = '<img src=x onerror="alert(1)"><script>alert(2)</script>注射鱼精蛋白';
    attach(answerFor([{ quote: '鱼精蛋白' }]));
    const { container } = render(<CheckScreen />);
    await checkText(html);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(screen.getByTestId('check-text').textContent).toBe(html);
    const mark = spans()[0];
    expect(Number(mark?.dataset.start)).toBe(html.indexOf('鱼精蛋白'));
  });

  it("says the model's answer could not be read, shows the raw answer, and keeps text and history", async () => {
    attach('抱歉，我无法回答这个问题');
    render(<CheckScreen />);
    await checkText(TEXT);
    expect(screen.getByTestId('check-verdict').getAttribute('data-verdict')).toBe('incomplete');
    const notice = screen.getByTestId('check-unreadable');
    expect(notice.textContent).toContain('模型的回答无法读取');
    expect(notice.textContent).toContain('抱歉，我无法回答这个问题');
    expect(input().value).toBe(TEXT);
    await waitFor(async () => expect(await listChecks()).toHaveLength(1));
  });

  it('moves between findings with the arrow keys and lights up the matching highlight', async () => {
    attach(ANSWER);
    render(<CheckScreen />);
    await checkText(TEXT);
    const [first, second] = screen.getAllByTestId('check-finding');
    act(() => first?.focus());
    const id = first?.getAttribute('data-finding-id');
    expect(spans().find((m) => m.dataset.findingId === id)?.className).toContain('is-active');
    fireEvent.keyDown(first as HTMLElement, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(second);
    const id2 = second?.getAttribute('data-finding-id');
    expect(spans().find((m) => m.dataset.findingId === id2)?.className).toContain('is-active');
    // Enter on a highlight moves focus to its card.
    const mark = spans().find((m) => m.dataset.findingId === id);
    fireEvent.keyDown(mark as HTMLElement, { key: 'Enter' });
    expect(document.activeElement).toBe(first);
  });

  it('shows streaming progress and cancels quietly, keeping the text', async () => {
    const verifier = createScriptedEngine([ANSWER], { charsPerToken: 1000, chunkDelayMs: null, hold: true });
    useEngineSession.getState().attachVerifier({ engine: verifier, id: 'v' });
    render(<CheckScreen />);
    fireEvent.change(input(), { target: { value: TEXT } });
    fireEvent.click(screen.getByTestId('check-run'));
    await waitFor(() => expect(screen.getByTestId('check-progress').textContent).toContain('模型生成中'));
    fireEvent.click(screen.getByTestId('check-cancel'));
    await waitFor(() => expect(screen.queryByTestId('check-progress')).toBeNull());
    expect(useCheckStore.getState().error).toBeNull();
    expect(screen.queryByTestId('check-verdict')).toBeNull();
    expect(input().value).toBe(TEXT);
  });

  it('renders a 200k-character paste as a few segments, not one element per character', async () => {
    const long = '高血压患者应长期规律服药。'.repeat(15_400) + '注射鱼精蛋白。';
    expect(long.length).toBeGreaterThan(200_000);
    attach(answerFor([{ quote: '鱼精蛋白' }]));
    render(<CheckScreen />);
    fireEvent.change(input(), { target: { value: long } });
    expect(screen.getByTestId('check-count').textContent).toContain('分段核查');
    // One answer per chunk: the fake verifier returns the same quote for every chunk, found only in the last.
    fireEvent.click(screen.getByTestId('check-run'));
    await waitFor(() => expect(screen.getByTestId('check-verdict')).toBeTruthy(), { timeout: 30_000 });
    const text = screen.getByTestId('check-text');
    expect(text.querySelectorAll('*').length).toBeLessThan(10);
    expect(spans()[0]?.dataset.start).toBe(String(long.indexOf('鱼精蛋白')));
    expect(screen.getByText(/已分 \d+ 段核查/)).toBeTruthy();
  });
});
