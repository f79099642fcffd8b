/**
 * The one message catalog (src/i18n/catalog.ts): every table, the core one
 * and each lazily loaded feature namespace, has an English message for each
 * zh-CN key with the same parameters; no key is defined twice; a missing
 * English message falls back to zh-CN; parameters fill.
 */
import { describe, expect, it } from 'vitest';
import { loadNamespace, NAMESPACES, namespaceMessages, translate, translateLoaded } from '../../../src/i18n/catalog';
import { messages as core } from '../../../src/i18n/messages';
import { fill, lookup } from '../../../src/i18n/translate';
import { useT } from '../../../src/i18n/use-t';
import { ERROR_CODES } from '../../../src/protocol/errors';

type Tables = { 'zh-CN': Readonly<Record<string, string>>; en: Readonly<Record<string, string>> };

async function allTables(): Promise<[string, Tables][]> {
  const lazy = await Promise.all(NAMESPACES.map(async (name) => [name, (await namespaceMessages(name)) as Tables] as [string, Tables]));
  return [['core', core], ...lazy];
}

const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** What a reviewer reads when a locale lacks a zh-CN key: "<table> <key>". */
function missingKeys(name: string, tables: Tables): string[] {
  return Object.keys(tables['zh-CN'])
    .filter((key) => !Object.hasOwn(tables.en, key))
    .map((key) => `${name} ${key}`);
}

describe('messages', () => {
  it('covers the lazily loaded feature namespaces (bench, selftest, library, formulary, models)', () => {
    expect([...NAMESPACES].sort()).toEqual(['bench', 'formulary', 'library', 'models', 'selftest']);
  });

  it('has an English message for every zh-CN key, in every table, and no English key zh-CN lacks', async () => {
    for (const [name, tables] of await allTables()) {
      expect(missingKeys(name, tables), `English lacks keys of ${name}`).toEqual([]);
      expect(Object.keys(tables.en).filter((key) => !Object.hasOwn(tables['zh-CN'], key)), `English has extra keys in ${name}`).toEqual([]);
    }
  });

  it('finds a key the English table misses (the check above can fail)', () => {
    expect(missingKeys('t', { 'zh-CN': { 'a.b': '甲', 'a.c': '乙' }, en: { 'a.b': 'A' } })).toEqual(['t a.c']);
  });

  it('has no empty message except the no-remedy label, and the same parameters in both languages', async () => {
    for (const [name, tables] of await allTables()) {
      for (const [key, zh] of Object.entries(tables['zh-CN'])) {
        const en = tables.en[key] ?? '';
        if (key !== 'remedy.none') {
          expect(zh.trim(), `zh-CN ${name} ${key}`).not.toBe('');
          expect(en.trim(), `en ${name} ${key}`).not.toBe('');
        }
        expect(params(en), `${name} ${key}`).toEqual(params(zh));
      }
    }
  });

  it('defines each key in one table only (a namespace would silently override another)', async () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const [name, tables] of await allTables()) {
      for (const key of Object.keys(tables['zh-CN'])) {
        const first = owner.get(key);
        if (first) clashes.push(`${key}: ${first} and ${name}`);
        else owner.set(key, name);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('keeps each feature namespace under its own prefix', async () => {
    for (const name of NAMESPACES) {
      const keys = Object.keys((await namespaceMessages(name))['zh-CN']);
      expect(keys.length, name).toBeGreaterThan(0);
      expect(keys.filter((k) => !k.startsWith(`${name}.`)), name).toEqual([]);
    }
  });

  it('explains every error code in both languages', () => {
    for (const code of ERROR_CODES) {
      expect(translate('zh-CN', `error.${code}`)).toMatch(/[\u4e00-\u9fff]/);
      expect(translate('en', `error.${code}`)).toMatch(/[a-z]/);
    }
  });

  it('falls back to the zh-CN message when the locale lacks the key', () => {
    const tables = { 'zh-CN': { 'x.only-zh': '仅中文 {n}', 'x.both': '两者' }, en: { 'x.both': 'both' } };
    expect(lookup(tables, 'en', 'x.both')).toBe('both');
    expect(lookup(tables, 'en', 'x.only-zh', { n: 3 })).toBe('仅中文 3');
    expect(lookup(tables, 'zh-CN', 'x.both')).toBe('两者');
  });

  it('serves a feature namespace once it is loaded, in both languages', async () => {
    const loaded = await namespaceMessages('bench');
    await loadNamespace('bench');
    expect(translateLoaded('zh-CN', 'bench.title')).toBe(loaded['zh-CN']['bench.title']);
    expect(translateLoaded('en', 'bench.title')).toBe(loaded.en['bench.title']);
    expect(translateLoaded('en', 'bench.title')).not.toBe(translateLoaded('zh-CN', 'bench.title'));
  });

  it('fills parameters and leaves unknown ones visible', () => {
    expect(translate('en', 'app.version', { version: '1.2.3' })).toBe('Version 1.2.3');
    expect(translate('zh-CN', 'app.version', { version: '1.2.3' })).toBe('版本 1.2.3');
    expect(translate('en', 'app.version')).toBe('Version {version}');
    expect(fill('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });
});


// Compile-time checks (never called): keys are typed from zh-CN, so a typo is
// a type error, and a `t` accepts a namespace's keys only where it was asked for.
export function typeChecks(): void {
  // @ts-expect-error 'bench.titel' is no key
  translateLoaded('zh-CN', 'bench.titel');
  // @ts-expect-error translate() is for the always-loaded core keys
  translate('zh-CN', 'bench.title');
  const t = useT();
  t('app.name');
  // @ts-expect-error the bench namespace was not asked for
  t('bench.title');
  const tb = useT('bench', 'formulary');
  tb('bench.title');
  tb('formulary.bench.mode');
  tb('app.name');
}
