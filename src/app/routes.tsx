/**
 * The route table. Feature screens plug in here (lazily, so the shell stays
 * small): { path: 'check', navKey: 'nav.check', Screen: lazy(() => import(...)) }.
 * Nav order follows this array; the first route is the default.
 */
import type { ComponentType } from 'react';
import type { MessageKey } from '../i18n/messages';
import { SettingsScreen } from './settings/settings-screen';

export interface AppRoute {
  path: string;
  navKey: MessageKey;
  Screen: ComponentType;
}

export const routes: readonly AppRoute[] = [{ path: 'settings', navKey: 'nav.settings', Screen: SettingsScreen }];

export function findRoute(path: string): AppRoute | undefined {
  return routes.find((route) => route.path === path);
}

export function defaultRoute(): AppRoute {
  const first = routes[0];
  if (!first) throw new Error('The route table is empty.');
  return first;
}
