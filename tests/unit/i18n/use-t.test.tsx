// @vitest-environment happy-dom
/**
 * useT('library') on a namespace nobody has loaded yet (no route preloaded
 * it): the component suspends, the Suspense fallback shows, then the zh-CN
 * text; a raw key is never in the DOM, not even for one commit. A locale
 * change re-renders with the English text. A namespace loaded beforehand
 * (as the routes do) renders at once, with no fallback in between.
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import { Suspense } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isLoaded, loadNamespace, namespaceMessages } from '../../../src/i18n/catalog';
import { useLocaleStore } from '../../../src/i18n/locale-store';
import { useT } from '../../../src/i18n/use-t';

function Title() {
  const t = useT('library');
  return <h1>{t('library.title')}</h1>;
}

function FormularyTitle() {
  const t = useT('formulary');
  return <h1>{t('formulary.title')}</h1>;
}

afterEach(() => {
  cleanup();
  useLocaleStore.getState().reset();
});

describe('useT with a lazily loaded namespace', () => {
  it('suspends until the namespace is loaded, so no raw key is ever shown', async () => {
    const errors = vi.spyOn(console, 'error');
    const tables = await namespaceMessages('library');
    expect(isLoaded('library')).toBe(false);
    const states: string[] = [];
    const host = document.createElement('div');
    document.body.append(host);
    new MutationObserver(() => states.push(host.textContent ?? '')).observe(host, { subtree: true, childList: true, characterData: true });

    // Awaited act: React test mode then lets the suspended render resume when the namespace arrives.
    await act(async () => {
      render(
        <Suspense fallback={<p>正在加载…</p>}>
          <Title />
        </Suspense>,
        { container: host },
      );
    });
    expect(await screen.findByRole('heading', { level: 1 })).toHaveProperty('textContent', tables['zh-CN']['library.title']);
    expect(isLoaded('library')).toBe(true);
    expect(states.length).toBeGreaterThan(0);
    expect(states.filter((s) => s.includes('library.'))).toEqual([]);
    expect(states).toContain('正在加载…');

    act(() => useLocaleStore.getState().setLocale('en'));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe(tables.en['library.title']);
    // React reports a misuse of use() (say, skipping it once loaded) on console.error.
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([]);
    errors.mockRestore();
  });

  it('renders a namespace loaded before (the routes preload it) without suspending', async () => {
    // A namespace React has not seen yet (the other test's was tracked by React itself).
    await loadNamespace('formulary');
    render(
      <Suspense fallback={<p>正在加载…</p>}>
        <FormularyTitle />
      </Suspense>,
    );
    // Synchronously after render: no fallback in between.
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('处方集');
  });
});
