// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HistoryScreen } from '../../../../src/features/history/history-screen';
import { useLocaleStore } from '../../../../src/i18n';
import { closeAppDb, DB_NAME } from '../../../../src/storage/db';
import { listChecks, saveCheck } from '../../../../src/storage/checks-repo';
import { findingAt, makeRecord, makeResult } from '../../../kit/check-records';

const a = '华法林过量出血时可注射鱼精蛋白。';
const b = '第3剂在12月龄时接种。';

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

describe('HistoryScreen', () => {
  beforeEach(async () => {
    await closeAppDb();
    await new Promise<void>((resolve) => {
      const req = indexedDB.deleteDatabase(DB_NAME);
      req.onsuccess = req.onerror = () => resolve();
    });
    useLocaleStore.getState().reset();
    await saveCheck(makeRecord(a, makeResult([findingAt(a, '鱼精蛋白')]), { id: 'a', createdAt: 1 }));
    await saveCheck(makeRecord(b, makeResult([findingAt(b, '12月龄', { type: 'temporal' })]), { id: 'b', createdAt: 2 }));
  });
  afterEach(cleanup);

  it('lists checks newest first with verdict and a link that opens them in the checker', async () => {
    render(<HistoryScreen />);
    await waitFor(() => expect(screen.getAllByTestId('history-item')).toHaveLength(2));
    const items = screen.getAllByTestId('history-item');
    expect(items.map((i) => i.getAttribute('data-check-id'))).toEqual(['b', 'a']);
    expect(items[0]?.textContent).toContain('有误');
    expect(items[0]?.textContent).toContain('时间性错误');
    expect(screen.getAllByTestId('history-open')[0]?.getAttribute('href')).toBe('#/check?open=b');
  });

  it('searches, deletes one, and deletes all only after confirmation', async () => {
    render(<HistoryScreen />);
    await waitFor(() => expect(screen.getAllByTestId('history-item')).toHaveLength(2));
    fireEvent.change(screen.getByTestId('history-search'), { target: { value: '华法林' } });
    await waitFor(() => expect(screen.getAllByTestId('history-item').map((i) => i.getAttribute('data-check-id'))).toEqual(['a']));
    fireEvent.change(screen.getByTestId('history-search'), { target: { value: '' } });
    await waitFor(() => expect(screen.getAllByTestId('history-item')).toHaveLength(2));

    fireEvent.click(screen.getAllByTestId('history-delete')[0] as HTMLElement);
    await waitFor(() => expect(screen.getAllByTestId('history-item')).toHaveLength(1));
    expect((await listChecks()).map((r) => r.id)).toEqual(['a']);

    fireEvent.click(screen.getByTestId('history-delete-all'));
    // Nothing is deleted until the user confirms.
    expect(await listChecks()).toHaveLength(1);
    fireEvent.click(screen.getByTestId('history-confirm-delete-all'));
    await waitFor(() => expect(screen.queryAllByTestId('history-item')).toHaveLength(0));
    expect(await listChecks()).toHaveLength(0);
    expect(screen.getByText('还没有核查记录。')).toBeTruthy();
  });
});
