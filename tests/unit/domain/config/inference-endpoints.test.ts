/**
 * inferenceEndpoints in app-config.json: validated entry by entry (a bad one
 * is named by path and dropped alone), no credentials in a public file, and
 * the CSP's connect-src gains exactly those servers' origins, also with
 * mirrorOnly (which still pins model downloads to the mirror).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureDist } from '../../../../scripts/configure';
import { buildCsp, cspAllowsConnect, hostsBlockedByCsp, modelConnectSources, parseCsp } from '../../../../src/domain/config/csp';
import { validateAppConfig } from '../../../../src/domain/config/validate';

const gpu = { id: 'gpu1', label: '院内 GPU 服务器', baseUrl: 'http://gpu1.hospital.internal:8000/v1', models: ['Qwen/Qwen3-32B'], judge: 'Qwen/Qwen3-8B' };

describe('inferenceEndpoints validation', () => {
  it('is empty unless configured', () => {
    expect(validateAppConfig({}).config.inferenceEndpoints).toEqual([]);
  });

  it('keeps good entries and names the bad ones by path', () => {
    const { config, issues } = validateAppConfig({
      inferenceEndpoints: [
        gpu,
        { id: 'x', label: 'X', baseUrl: 'ftp://x', models: ['m'] },
        { id: 'y', label: 'Y', baseUrl: 'http://key:secret@y.internal/v1', models: ['m'] },
        { id: 'z', label: 'Z', baseUrl: 'http://z.internal/v1', models: [] },
        { ...gpu, label: 'again' },
      ],
    });
    expect(config.inferenceEndpoints).toEqual([gpu]);
    expect(issues.map((i) => i.path)).toEqual(['inferenceEndpoints[1].baseUrl', 'inferenceEndpoints[2].baseUrl', 'inferenceEndpoints[3].models', 'inferenceEndpoints[4].id']);
    expect(issues[1]?.message).toContain('no credentials');
  });

  it('a field that is not a list is reported and the rest of the file kept', () => {
    const { config, issues } = validateAppConfig({ inferenceEndpoints: 'http://gpu1', mirrorOnly: true });
    expect(config.mirrorOnly).toBe(true);
    expect(config.inferenceEndpoints).toEqual([]);
    expect(issues[0]?.path).toBe('inferenceEndpoints');
  });
});

describe('CSP with inference servers', () => {
  it('connect-src gains exactly the servers’ origins, with mirrorOnly too, and model downloads never go there', () => {
    const { config } = validateAppConfig({ modelHost: 'https://mirror.hospital.internal', mirrorOnly: true, inferenceEndpoints: [gpu, { ...gpu, id: 'gpu1b', models: ['other'] }, { id: 'gpu2', label: 'B', baseUrl: 'https://llm.hospital.internal/openai/v1', models: ['m'] }] });
    const connect = parseCsp(buildCsp(config)).get('connect-src');
    expect(connect).toContain('http://gpu1.hospital.internal:8000');
    expect(connect).toContain('https://llm.hospital.internal');
    expect(connect?.filter((s) => s.includes('gpu1'))).toHaveLength(1);
    expect(modelConnectSources(config)).not.toContain('http://gpu1.hospital.internal:8000');
    const policy = buildCsp(config);
    expect(cspAllowsConnect(policy, 'http://gpu1.hospital.internal:8000/v1/chat/completions', 'http://127.0.0.1:4173')).toBe(true);
    expect(cspAllowsConnect(policy, 'http://gpu1.hospital.internal:9000/v1/chat/completions', 'http://127.0.0.1:4173')).toBe(false);
    expect(cspAllowsConnect(policy, 'https://api.openai.com/v1/chat/completions', 'http://127.0.0.1:4173')).toBe(false);
  });

  it('an endpoint the running CSP does not allow is reported at start-up', () => {
    const { config } = validateAppConfig({ inferenceEndpoints: [gpu] });
    const old = buildCsp(validateAppConfig({}).config);
    expect(hostsBlockedByCsp(config, old, 'http://127.0.0.1:4173')).toEqual(['http://gpu1.hospital.internal:8000']);
    expect(hostsBlockedByCsp(config, buildCsp(config), 'http://127.0.0.1:4173')).toEqual([]);
  });
});

describe('npm run configure with inference servers', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'medfact-configure-ep-'));
    writeFileSync(join(dir, 'index.html'), `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;; connect-src &#39;self&#39;"></head><body></body></html>`);
    writeFileSync(join(dir, 'sw.js'), 'e.precacheAndRoute([{url:"index.html",revision:"0123456789abcdef0123456789abcdef"}],{})');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the server into the built CSP', () => {
    const configPath = join(dir, 'mine.json');
    writeFileSync(configPath, JSON.stringify({ modelHost: 'https://mirror.example.org', modelLibHost: 'https://mirror.example.org/libs/', mirrorOnly: true, inferenceEndpoints: [gpu] }));
    configureDist({ configPath, distDir: dir });
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    const content = (/content="([^"]*)"/.exec(html)?.[1] ?? '').replace(/&#39;/g, "'");
    expect(parseCsp(content).get('connect-src')).toEqual(["'self'", 'https://mirror.example.org', 'http://gpu1.hospital.internal:8000']);
  });
});
