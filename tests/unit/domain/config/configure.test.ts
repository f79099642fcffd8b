import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureDist } from '../../../../scripts/configure';
import { parseCsp } from '../../../../src/domain/config/csp';

const INDEX = `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;; connect-src &#39;self&#39; https://huggingface.co">
<meta charset="UTF-8" /><title>MedFact Lens</title></head><body></body></html>`;
const SW = 'e.precacheAndRoute([{url:"manifest.webmanifest",revision:"aaaa"},{url:"index.html",revision:"0123456789abcdef0123456789abcdef"},{url:"assets/x.js",revision:null}],{})';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'medfact-configure-'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'sw.js'), SW);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cspOf(html: string): Map<string, string[]> {
  const content = /content="([^"]*)"/.exec(html)?.[1] ?? '';
  return parseCsp(content.replace(/&#39;/g, "'"));
}

describe('configureDist', () => {
  it('rewrites the CSP, copies the config and refreshes the service-worker revision', () => {
    const configPath = join(dir, 'mine.json');
    writeFileSync(configPath, JSON.stringify({ modelHost: 'https://mirror.example.org/hf', modelLibHost: 'https://mirror.example.org/libs/', mirrorOnly: true }));
    const result = configureDist({ configPath, distDir: dir });
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(cspOf(html).get('connect-src')).toEqual(["'self'", 'https://mirror.example.org']);
    expect(html).toContain('<title>MedFact Lens</title>');
    expect(JSON.parse(readFileSync(join(dir, 'app-config.json'), 'utf8'))).toMatchObject({ mirrorOnly: true });
    const md5 = createHash('md5').update(html).digest('hex');
    const sw = readFileSync(join(dir, 'sw.js'), 'utf8');
    expect(sw).toContain(`{url:"index.html",revision:"${md5}"}`);
    expect(sw).toContain('{url:"manifest.webmanifest",revision:"aaaa"}');
    expect(result.written).toHaveLength(3);
  });

  it('refuses a config with a bad field, names it, and changes nothing', () => {
    const configPath = join(dir, 'bad.json');
    writeFileSync(configPath, JSON.stringify({ modelHost: 'https://ok.example.org', catalog: [{ id: 'a', engine: 'nope' }] }));
    expect(() => configureDist({ configPath, distDir: dir })).toThrowError(/catalog\[0\]\.engine/);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toBe(INDEX);
    expect(readFileSync(join(dir, 'sw.js'), 'utf8')).toBe(SW);
  });

  it('refuses malformed JSON and a folder without a build', () => {
    const configPath = join(dir, 'broken.json');
    writeFileSync(configPath, '{');
    expect(() => configureDist({ configPath, distDir: dir })).toThrowError(/app-config\.json/);
    writeFileSync(configPath, '{}');
    expect(() => configureDist({ configPath, distDir: join(dir, 'nothing') })).toThrowError(/npm run build/);
  });
});
