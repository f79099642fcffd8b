export { defineMessages, type Namespace } from './define';
export { messages, type MessageKey } from './messages';
export { translate, type MessageParams } from './translate';
export { useLocaleStore, LOCALE_HINT_KEY } from './locale-store';
export { useT, t, type TFunction } from './use-t';
export { LOCALES, isLocale, type Locale } from '../domain/config/types';
