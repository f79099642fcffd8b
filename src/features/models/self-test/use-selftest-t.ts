/**
 * Translations for the self-test screen. Its namespace lives in
 * src/i18n/selftest.messages.ts; this hook reads it directly, so the screen
 * works whether or not the namespace is merged into the app dictionary.
 */
import { useCallback } from 'react';
import { useLocaleStore } from '../../../i18n/locale-store';
import { selftestMessages, type SelftestMessageKey } from '../../../i18n/selftest.messages';

export type SelftestParams = Readonly<Record<string, string | number>>;
export type SelftestT = (key: SelftestMessageKey, params?: SelftestParams) => string;

export function fillMessage(template: string, params?: SelftestParams): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

export function useSelftestT(): SelftestT {
  const locale = useLocaleStore((s) => s.locale);
  return useCallback((key, params) => fillMessage(selftestMessages[locale][key], params), [locale]);
}
