import { useCallback } from 'react';
import type { MessageKey } from './messages';
import { translate, type MessageParams } from './translate';
import { useLocaleStore } from './locale-store';

export type TFunction = (key: MessageKey, params?: MessageParams) => string;

/** `t` bound to the current locale; components re-render when it changes. */
export function useT(): TFunction {
  const locale = useLocaleStore((s) => s.locale);
  return useCallback((key, params) => translate(locale, key, params), [locale]);
}

/** For code outside React (services, error toasts). */
export function t(key: MessageKey, params?: MessageParams): string {
  return translate(useLocaleStore.getState().locale, key, params);
}
