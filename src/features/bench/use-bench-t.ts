/**
 * `t` for the Benchmark screens' own namespace (src/i18n/bench.messages.ts),
 * bound to the app's current locale, so the feature's strings live together
 * and the shell's dictionary stays small on first paint.
 */
import { useCallback } from 'react';
import { useLocaleStore } from '../../i18n';
import { benchMessages, type BenchMessageKey } from '../../i18n/bench.messages';

export type BenchT = (key: BenchMessageKey, params?: Readonly<Record<string, string | number>>) => string;

function fill(template: string, params?: Readonly<Record<string, string | number>>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

export function useBenchT(): BenchT {
  const locale = useLocaleStore((s) => s.locale);
  return useCallback((key, params) => fill(benchMessages[locale][key], params), [locale]);
}

export function useIsZh(): boolean {
  return useLocaleStore((s) => s.locale) === 'zh-CN';
}
