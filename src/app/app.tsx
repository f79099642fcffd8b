import { Suspense, useEffect, useRef } from 'react';
import { useT } from '../i18n';
import { ConfigBanner } from './config-issues';
import { ErrorBoundary } from './error-boundary';
import { OfflineIndicator } from './offline-indicator';
import { defaultRoute, findRoute, routes } from './routes';
import { hrefFor, navigate, useHashPath } from './router';
import { OfflineReadyNote, UpdatePrompt } from './update-prompt';

export function App() {
  const t = useT();
  const path = useHashPath();
  const route = findRoute(path) ?? defaultRoute();
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  useEffect(() => {
    if (route.path !== path) navigate(route.path, { replace: true });
  }, [path, route.path]);

  useEffect(() => {
    document.title = `${t(route.navKey)} · ${t('app.name')}`;
  }, [route, t]);

  // Move focus to the new screen's heading so screen readers announce it; not on first load.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const heading = mainRef.current?.querySelector<HTMLElement>('h1');
    (heading ?? mainRef.current)?.focus();
  }, [route.path]);

  const { Screen } = route;
  return (
    <>
      <a className="skip-link" href="#main">
        {t('skip.toMain')}
      </a>
      <header className="app-header">
        <div className="brand">
          <img src="icons/icon.svg" alt="" width="32" height="32" />
          <div>
            <p className="app-name">{t('app.name')}</p>
            <p className="app-tagline">{t('app.tagline')}</p>
          </div>
        </div>
        <nav aria-label={t('nav.label')}>
          <ul>
            {routes.filter((r) => r.nav !== false).map((r) => (
              <li key={r.path}>
                <a href={hrefFor(r.path)} aria-current={r.path === route.path ? 'page' : undefined}>
                  {t(r.navKey)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <OfflineIndicator />
        <OfflineReadyNote />
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        <ConfigBanner />
        <ErrorBoundary resetKey={route.path}>
          <Suspense fallback={<p className="muted">{t('app.loading')}</p>}>
            <Screen />
          </Suspense>
        </ErrorBoundary>
      </main>
      <div className="toasts">
        <UpdatePrompt />
      </div>
    </>
  );
}
