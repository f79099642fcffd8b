/**
 * The catalog as every screen sees it (issue 14: one merge, the first-run
 * panel included): built-in entries, the deployment's, and the models the
 * user added on the Models screen. The user's additions are kept here, not in
 * a feature, so the checker, the history and the Models screen read one list;
 * the app shell restores and saves them through the settings repository.
 */
import { useMemo } from 'react';
import { create } from 'zustand';
import { appCatalog } from '../domain/catalog/catalog';
import type { CatalogModel } from '../domain/catalog/schema';
import { useAppStore } from './app-store';

interface CustomModelsState {
  /** Models added by hub id or URL, newest last; one per engine and id. */
  custom: CatalogModel[];
}

export const useCustomModels = create<CustomModelsState>()(() => ({ custom: [] }));

/** Adds (or replaces, same engine and id) a user-added model. */
export function addCustomModel(entry: CatalogModel): void {
  useCustomModels.setState((s) => ({ custom: [...s.custom.filter((c) => c.id !== entry.id || c.engine !== entry.engine), entry] }));
}

export function setCustomModels(custom: CatalogModel[]): void {
  useCustomModels.setState({ custom });
}

/** The merged catalog now, for services outside React. */
export function currentCatalog(): CatalogModel[] {
  return appCatalog(useAppStore.getState().config.catalog, useCustomModels.getState().custom);
}

/** The merged catalog, recomputed only when the deployment's or the user's entries change. */
export function useCatalog(): CatalogModel[] {
  const deployment = useAppStore((s) => s.config.catalog);
  const custom = useCustomModels((s) => s.custom);
  return useMemo(() => appCatalog(deployment, custom), [deployment, custom]);
}
