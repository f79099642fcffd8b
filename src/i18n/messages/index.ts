/**
 * All message namespaces merged into one dictionary per locale. A feature
 * adds its strings in its own file here (defineMessages) and one line below.
 */
import { checkMessages } from './check';
import { configMessages } from './config';
import { errorMessages } from './errors';
import { formularyMessages } from './formulary';
import { historyMessages } from './history';
import { modelsMessages } from './models';
import { sessionMessages } from './session';
import { shellMessages } from './shell';

export const messages = {
  'zh-CN': { ...shellMessages['zh-CN'], ...configMessages['zh-CN'], ...errorMessages['zh-CN'], ...modelsMessages['zh-CN'], ...checkMessages['zh-CN'], ...historyMessages['zh-CN'], ...sessionMessages['zh-CN'], ...formularyMessages['zh-CN'] },
  en: { ...shellMessages.en, ...configMessages.en, ...errorMessages.en, ...modelsMessages.en, ...checkMessages.en, ...historyMessages.en, ...sessionMessages.en, ...formularyMessages.en },
} as const;

export type MessageKey = keyof (typeof messages)['zh-CN'];
