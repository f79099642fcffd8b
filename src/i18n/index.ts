export { defineMessages, type Namespace } from './define';
export { loadNamespace, loadNamespaces, withNamespaces, translate, NAMESPACES, type CoreKey, type MessageKey, type NamespaceName, type TFunction, type Translate } from './catalog';
export { fill, type MessageParams } from './translate';
export { useLocaleStore, LOCALE_HINT_KEY } from './locale-store';
export { useT, t } from './use-t';
export { LOCALES, isLocale, type Locale } from '../domain/config/types';
