/** `t` for the References screen's own namespace (src/i18n/library.messages.ts), in the app's locale. */
import { useCallback } from 'react';
import { useLocaleStore } from './locale-store';
import { libraryMessages, type LibraryMessageKey } from './library.messages';

export type LibraryT = (key: LibraryMessageKey, params?: Readonly<Record<string, string | number>>) => string;

export function useLibraryT(): LibraryT {
  const locale = useLocaleStore((s) => s.locale);
  return useCallback(
    (key, params) => libraryMessages[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) => (params && Object.hasOwn(params, name) ? String(params[name]) : whole)),
    [locale],
  );
}
