import { describe, expect, it } from 'vitest';
import { messages } from '../../../src/i18n/messages';
import { translate } from '../../../src/i18n/translate';
import { ERROR_CODES } from '../../../src/protocol/errors';

describe('messages', () => {
  it('has the same keys in Chinese and English, none empty except the no-remedy label', () => {
    const zh = Object.keys(messages['zh-CN']).sort();
    expect(Object.keys(messages.en).sort()).toEqual(zh);
    for (const locale of ['zh-CN', 'en'] as const) {
      for (const [key, value] of Object.entries(messages[locale])) {
        if (key !== 'remedy.none') expect(value.trim(), `${locale} ${key}`).not.toBe('');
      }
    }
  });

  it('explains every error code in both languages', () => {
    for (const code of ERROR_CODES) {
      expect(translate('zh-CN', `error.${code}`)).toMatch(/[\u4e00-\u9fff]/);
      expect(translate('en', `error.${code}`)).toMatch(/[a-z]/);
    }
  });

  it('uses the same parameters in both languages', () => {
    const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(messages['zh-CN']) as (keyof (typeof messages)['zh-CN'])[]) {
      expect(params(messages.en[key]), key).toEqual(params(messages['zh-CN'][key]));
    }
  });

  it('fills parameters and leaves unknown ones visible', () => {
    expect(translate('en', 'app.version', { version: '1.2.3' })).toBe('Version 1.2.3');
    expect(translate('zh-CN', 'app.version', { version: '1.2.3' })).toBe('版本 1.2.3');
    expect(translate('en', 'app.version')).toBe('Version {version}');
  });
});
