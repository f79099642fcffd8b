/**
 * The core tables, merged into one dictionary per locale: the shell and the
 * checker, in the first-paint bundle. A screen of its own (bench, models,
 * formulary, …) is a lazily loaded namespace instead: src/i18n/catalog.ts.
 */
import { checkMessages } from './check';
import { configMessages } from './config';
import { errorMessages } from './errors';
import { historyMessages } from './history';
import { sessionMessages } from './session';
import { sharedMessages } from './shared';
import { shellMessages } from './shell';

export const messages = {
  'zh-CN': { ...shellMessages['zh-CN'], ...configMessages['zh-CN'], ...errorMessages['zh-CN'], ...checkMessages['zh-CN'], ...historyMessages['zh-CN'], ...sessionMessages['zh-CN'], ...sharedMessages['zh-CN'] },
  en: { ...shellMessages.en, ...configMessages.en, ...errorMessages.en, ...checkMessages.en, ...historyMessages.en, ...sessionMessages.en, ...sharedMessages.en },
} as const;

