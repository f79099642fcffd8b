import { describe, expect, it } from 'vitest';
import { DEFAULT_APP_CONFIG } from '../../../../src/domain/config/types';
import { formatPath, parseAppConfigText, validateAppConfig } from '../../../../src/domain/config/validate';

const entry = {
  id: 'hospital/verifier-0.6b',
  engine: 'transformers',
  role: 'verifier',
  task: 'text-generation',
  dtypes: ['q4', 'q8'],
  sizeBytes: 420_000_000,
  label: { zh: '院内核查模型', en: 'Hospital verifier' },
  description: { zh: '本院镜像', en: 'From the hospital mirror' },
};

describe('validateAppConfig', () => {
  it('fills defaults for an empty object', () => {
    const { config, issues } = validateAppConfig({});
    expect(issues).toEqual([]);
    expect(config).toEqual({ ...DEFAULT_APP_CONFIG, catalog: [] });
    expect(config.modelHost).toBe('https://huggingface.co');
    expect(config.mirrorOnly).toBe(false);
  });

  it('keeps every valid field', () => {
    const { config, issues } = validateAppConfig({
      modelHost: 'https://mirror.example.org/hf',
      modelLibHost: 'https://mirror.example.org/libs/',
      mirrorOnly: true,
      defaultVerifier: 'hospital/verifier-0.6b',
      defaultReward: 'hospital/reward',
      catalog: [entry],
      locale: 'en',
    });
    expect(issues).toEqual([]);
    expect(config.modelHost).toBe('https://mirror.example.org/hf');
    expect(config.modelLibHost).toBe('https://mirror.example.org/libs/');
    expect(config.mirrorOnly).toBe(true);
    expect(config.defaultVerifier).toBe('hospital/verifier-0.6b');
    expect(config.defaultReward).toBe('hospital/reward');
    expect(config.locale).toBe('en');
    expect(config.catalog.map((e) => e.id)).toEqual(['hospital/verifier-0.6b']);
  });

  it('drops a bad field, names it, and keeps the rest', () => {
    const { config, issues } = validateAppConfig({ modelHost: 'ftp://mirror', mirrorOnly: 'yes', defaultVerifier: 'a/b' });
    expect(issues.map((i) => i.path).sort()).toEqual(['mirrorOnly', 'modelHost']);
    expect(issues.every((i) => i.kind === 'invalid')).toBe(true);
    expect(config.modelHost).toBe(DEFAULT_APP_CONFIG.modelHost);
    expect(config.mirrorOnly).toBe(false);
    expect(config.defaultVerifier).toBe('a/b');
  });

  it('names the exact path inside a catalog entry and keeps the good entries', () => {
    const bad = { ...entry, id: 'x/bad', engine: 'onnx' };
    const { config, issues } = validateAppConfig({ catalog: [entry, bad] });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'catalog[1].engine', kind: 'invalid-entry' });
    expect(config.catalog.map((e) => e.id)).toEqual([entry.id]);
  });

  it('reports a missing required field of an entry by its path', () => {
    const { label: _label, ...noLabel } = entry;
    const { issues } = validateAppConfig({ catalog: [noLabel] });
    expect(issues.map((i) => i.path)).toEqual(['catalog[0].label']);
  });

  it('reports duplicate catalog ids and unknown fields', () => {
    const { config, issues } = validateAppConfig({ catalog: [entry, entry], mirrorOnyl: true });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'catalog[1].id', kind: 'duplicate' }),
        expect.objectContaining({ path: 'mirrorOnyl', kind: 'unknown' }),
      ]),
    );
    expect(config.catalog).toHaveLength(1);
  });

  it('rejects a non-object file', () => {
    for (const raw of [null, 3, 'x', [1]]) {
      const { issues, config } = validateAppConfig(raw);
      expect(issues[0]?.kind).toBe('malformed');
      expect(issues[0]?.path).toBe('app-config.json');
      expect(config.modelHost).toBe(DEFAULT_APP_CONFIG.modelHost);
    }
  });
});

describe('parseAppConfigText', () => {
  it('names the file when the JSON is malformed', () => {
    const { issues, config } = parseAppConfigText('{"modelHost": "https://a.example",');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'app-config.json', kind: 'malformed' });
    expect(config).toEqual({ ...DEFAULT_APP_CONFIG, catalog: [] });
  });

  it('does not share the defaults object between calls', () => {
    const a = parseAppConfigText(JSON.stringify({ catalog: [entry] })).config;
    const b = parseAppConfigText('{}').config;
    expect(a.catalog).toHaveLength(1);
    expect(b.catalog).toHaveLength(0);
  });
});

describe('formatPath', () => {
  it('formats indexes in brackets', () => {
    expect(formatPath(['catalog', 1, 'label', 'zh'])).toBe('catalog[1].label.zh');
    expect(formatPath([])).toBe('');
  });
});
