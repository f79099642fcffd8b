/**
 * All message namespaces merged into one dictionary per locale. A feature
 * adds its strings in its own file here (defineMessages) and one line below.
 */
import { configMessages } from './config';
import { errorMessages } from './errors';
import { modelsMessages } from './models';
import { shellMessages } from './shell';

export const messages = {
  'zh-CN': { ...shellMessages['zh-CN'], ...configMessages['zh-CN'], ...errorMessages['zh-CN'], ...modelsMessages['zh-CN'] },
  en: { ...shellMessages.en, ...configMessages.en, ...errorMessages.en, ...modelsMessages.en },
} as const;

export type MessageKey = keyof (typeof messages)['zh-CN'];
