import type { Locale } from '../domain/config/types';
import { messages, type MessageKey } from './messages';

export type MessageParams = Readonly<Record<string, string | number>>;

/** Looks up a message and fills `{name}` parameters; an unknown parameter stays visible. */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const template: string = messages[locale][key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}
