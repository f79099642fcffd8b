/**
 * Applies a deployment configuration to an existing build, for hospital IT:
 *   npm run configure -- --config app-config.json [--dist dist]
 * Validates the file with the app's own schema, then rewrites the CSP in
 * dist/index.html (connect-src = the configured model hosts), copies the file
 * to dist/app-config.json and refreshes index.html's revision in the service
 * worker so installed copies pick up the new CSP (users see "update available").
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCsp } from '../src/domain/config/csp';
import { CONFIG_FILE_NAME, type AppConfig, type ConfigIssue } from '../src/domain/config/types';
import { parseAppConfigText } from '../src/domain/config/validate';
import { MedfactError } from '../src/protocol/errors';

export interface ConfigureOptions {
  configPath: string;
  distDir: string;
}

export interface ConfigureResult {
  config: AppConfig;
  csp: string;
  written: string[];
}

const CSP_META = /<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=(["'])[\s\S]*?\1\s*\/?>/i;

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function describe(issues: readonly ConfigIssue[]): string {
  return issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n');
}

/** Throws MedfactError('BAD_CONFIG') and writes nothing when the file has any problem. */
export function configureDist({ configPath, distDir }: ConfigureOptions): ConfigureResult {
  if (!existsSync(configPath)) throw new MedfactError('BAD_CONFIG', `Configuration file not found: ${configPath}`);
  const indexPath = join(distDir, 'index.html');
  if (!existsSync(indexPath)) throw new MedfactError('BAD_CONFIG', `No build found at ${distDir} (index.html missing). Run "npm run build" first.`);

  const text = readFileSync(configPath, 'utf8');
  const { config, issues } = parseAppConfigText(text);
  if (issues.length > 0) {
    throw new MedfactError('BAD_CONFIG', `${configPath} has ${issues.length} problem(s); nothing was changed:\n${describe(issues)}`, {
      issues: issues.map((i) => ({ ...i })),
    });
  }

  const html = readFileSync(indexPath, 'utf8');
  if (!CSP_META.test(html)) throw new MedfactError('BAD_CONFIG', `${indexPath} has no Content-Security-Policy meta; is this a MedFact Lens build?`);
  const csp = buildCsp(config);
  const nextHtml = html.replace(CSP_META, `<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">`);
  const written: string[] = [];
  writeFileSync(indexPath, nextHtml);
  written.push(indexPath);
  const configOut = join(distDir, CONFIG_FILE_NAME);
  if (resolve(configOut) !== resolve(configPath)) {
    writeFileSync(configOut, text);
    written.push(configOut);
  }

  // Workbox revisions are MD5 digests of the file; a stale one would keep the old CSP in installed apps.
  const swPath = join(distDir, 'sw.js');
  if (existsSync(swPath)) {
    const revision = createHash('md5').update(nextHtml).digest('hex');
    const sw = readFileSync(swPath, 'utf8');
    const nextSw = sw.replace(/(\{\s*"?url"?\s*:\s*"index\.html"\s*,\s*"?revision"?\s*:\s*")[0-9a-f]+(")/, `$1${revision}$2`);
    if (nextSw !== sw) {
      writeFileSync(swPath, nextSw);
      written.push(swPath);
    }
  }
  return { config, csp, written };
}

function main(): void {
  const { values } = parseArgs({ options: { config: { type: 'string' }, dist: { type: 'string', default: 'dist' } } });
  if (!values.config) {
    console.error('Usage: npm run configure -- --config <app-config.json> [--dist dist]');
    process.exit(2);
  }
  try {
    const result = configureDist({ configPath: values.config, distDir: values.dist ?? 'dist' });
    console.log(`Configured ${values.dist}:`);
    for (const file of result.written) console.log(`  wrote ${file}`);
    console.log(`Content-Security-Policy: ${result.csp}`);
    console.log('If your web server sends its own Content-Security-Policy header, give it the same connect-src.');
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
