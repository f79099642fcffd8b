/**
 * The route table. Feature screens plug in here lazily, so the shell stays
 * small and each screen's code loads when it is first opened. Nav order
 * follows this array; the first route is the default. Routes with
 * `nav: false` are reachable by link only (the self-test, from Models).
 */
import { lazy, type ComponentType } from 'react';
import { withNamespaces, type CoreKey } from '../i18n';
import { SettingsScreen } from './settings/settings-screen';

export interface AppRoute {
  path: string;
  navKey: CoreKey;
  Screen: ComponentType;
  nav?: boolean;
}

const CheckRoute = lazy(() => import('./check-route').then((m) => ({ default: m.CheckRoute })));
const HistoryScreen = lazy(() => import('../features/history/history-screen').then((m) => ({ default: m.HistoryScreen })));
const ModelsScreen = lazy(() => withNamespaces(import('../features/models/models-screen'), 'models').then((m) => ({ default: m.ModelsScreen })));
const BenchScreen = lazy(() => withNamespaces(import('../features/bench/bench-screen'), 'bench', 'formulary').then((m) => ({ default: m.BenchScreen })));
const FormularyScreen = lazy(() => withNamespaces(import('../features/formulary/formulary-screen'), 'formulary').then((m) => ({ default: m.FormularyScreen })));
const LibraryScreen = lazy(() => withNamespaces(import('./library-route'), 'library').then((m) => ({ default: m.LibraryRoute })));
const SelfTestScreen = lazy(() => withNamespaces(import('../features/models/self-test-screen'), 'selftest').then((m) => ({ default: m.SelfTestScreen })));

export const routes: readonly AppRoute[] = [
  { path: 'check', navKey: 'nav.check', Screen: CheckRoute },
  { path: 'bench', navKey: 'nav.bench', Screen: BenchScreen },
  { path: 'models', navKey: 'nav.models', Screen: ModelsScreen },
  { path: 'history', navKey: 'nav.history', Screen: HistoryScreen },
  { path: 'formulary', navKey: 'nav.formulary', Screen: FormularyScreen },
  { path: 'library', navKey: 'nav.library', Screen: LibraryScreen },
  { path: 'settings', navKey: 'nav.settings', Screen: SettingsScreen },
  { path: 'selftest', navKey: 'nav.selftest', Screen: SelfTestScreen, nav: false },
];

export function findRoute(path: string): AppRoute | undefined {
  return routes.find((route) => route.path === path);
}

export function defaultRoute(): AppRoute {
  const first = routes[0];
  if (!first) throw new Error('The route table is empty.');
  return first;
}
