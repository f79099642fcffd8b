/**
 * Validates app-config.json field by field: a bad field is dropped (its
 * default applies) and reported by path; the rest of the file is kept.
 */
import type { z } from '../../protocol/zod';
import { APP_CONFIG_FIELDS, CatalogEntrySchema, InferenceEndpointSchema, type CatalogEntry } from './schema';
import { CONFIG_FILE_NAME, DEFAULT_APP_CONFIG, type AppConfig, type ConfigIssue } from './types';

export interface ValidatedConfig {
  config: AppConfig;
  issues: ConfigIssue[];
}

/** `['catalog', 1, 'engine']` → `catalog[1].engine` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function issuesFrom(error: z.ZodError, prefix: readonly PropertyKey[], kind: 'invalid' | 'invalid-entry' = 'invalid'): ConfigIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]) || CONFIG_FILE_NAME,
    kind,
    message: issue.message,
  }));
}

/** Keeps each valid entry of a list field whose id was not seen before; reports the others by index. */
function eachEntry<S extends z.ZodType<{ id: string }>>(
  field: string,
  entries: readonly unknown[] | undefined,
  schema: S,
  issues: ConfigIssue[],
  keep: (entry: z.output<S>) => void,
): void {
  const seen = new Set<string>();
  entries?.forEach((entry, index) => {
    const result = schema.safeParse(entry);
    if (!result.success) {
      issues.push(...issuesFrom(result.error, [field, index], 'invalid-entry'));
      return;
    }
    if (seen.has(result.data.id)) {
      issues.push({ path: `${field}[${index}].id`, kind: 'duplicate', message: `Duplicate id "${result.data.id}", entry ignored.` });
      return;
    }
    seen.add(result.data.id);
    keep(result.data);
  });
}

const SINGLE_VALUE_FIELDS = ['modelHost', 'modelLibHost', 'mirrorOnly', 'defaultVerifier', 'defaultReward', 'locale'] as const;

function defaults(): AppConfig {
  return { ...DEFAULT_APP_CONFIG, catalog: [], inferenceEndpoints: [] };
}

export function validateAppConfig(raw: unknown): ValidatedConfig {
  const config = defaults();
  const issues: ConfigIssue[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    issues.push({ path: CONFIG_FILE_NAME, kind: 'malformed', message: 'The file must contain one JSON object, e.g. {"modelHost": "https://…"}.' });
    return { config, issues };
  }
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(APP_CONFIG_FIELDS, key)) {
      issues.push({
        path: key,
        kind: 'unknown',
        message: `Unknown field, ignored. Known fields: ${Object.keys(APP_CONFIG_FIELDS).join(', ')}.`,
      });
    }
  }

  const pick = <K extends keyof typeof APP_CONFIG_FIELDS>(key: K): z.infer<(typeof APP_CONFIG_FIELDS)[K]> | undefined => {
    if (!Object.hasOwn(record, key)) return undefined;
    const result = APP_CONFIG_FIELDS[key].safeParse(record[key]);
    if (result.success) return result.data as z.infer<(typeof APP_CONFIG_FIELDS)[K]>;
    issues.push(...issuesFrom(result.error, [key]));
    return undefined;
  };

  // A valid single-value field replaces its default.
  const setField = <K extends (typeof SINGLE_VALUE_FIELDS)[number]>(key: K): void => {
    const value = pick(key);
    if (value !== undefined) config[key] = value as AppConfig[K];
  };
  for (const key of SINGLE_VALUE_FIELDS) setField(key);

  // Catalog entries and inference servers are checked one by one: one bad entry does not cost the others.
  eachEntry('catalog', pick('catalog'), CatalogEntrySchema, issues, (entry) => config.catalog.push(entry satisfies CatalogEntry));
  eachEntry('inferenceEndpoints', pick('inferenceEndpoints'), InferenceEndpointSchema, issues, ({ judge, ...rest }) =>
    config.inferenceEndpoints.push({ ...rest, ...(judge !== undefined ? { judge } : {}) }),
  );
  return { config, issues };
}

/** Parses the file's text; malformed JSON gives one issue naming the file. */
export function parseAppConfigText(text: string): ValidatedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { config: defaults(), issues: [{ path: CONFIG_FILE_NAME, kind: 'malformed', message: `Not valid JSON: ${detail}` }] };
  }
  return validateAppConfig(raw);
}
