/**
 * The one lookup and the one `fill()` of the app's translations. Pure: the
 * tables it reads are handed in (src/i18n/catalog.ts owns the live ones), so
 * the zh-CN fallback can be tested on its own.
 */
import type { Locale } from '../domain/config/types';

export type MessageParams = Readonly<Record<string, string | number>>;
export type LocaleTables = Readonly<Record<Locale, Readonly<Record<string, string>>>>;

/** Fills `{name}` parameters; an unknown parameter stays visible. */
export function fill(template: string, params?: MessageParams): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

/**
 * The message in `locale`, else the zh-CN one (the fallback locale every key
 * is typed from), else the key itself: the types make that last case
 * unreachable for a loaded namespace, and a visible key is better than a crash.
 */
export function lookup(tables: LocaleTables, locale: Locale, key: string, params?: MessageParams): string {
  const template = tables[locale][key] ?? tables['zh-CN'][key] ?? key;
  return fill(template, params);
}
