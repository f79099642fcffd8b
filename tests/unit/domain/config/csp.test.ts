import { describe, expect, it } from 'vitest';
import { buildCsp, cspAllowsConnect, hostsBlockedByCsp, modelConnectSources, parseCsp } from '../../../../src/domain/config/csp';
import { assertDownloadAllowed, isDownloadAllowed, toModelSource } from '../../../../src/domain/config/download-policy';
import { DEFAULT_APP_CONFIG, type AppConfig } from '../../../../src/domain/config/types';
import { MedfactError } from '../../../../src/protocol/errors';

const defaults = (): AppConfig => ({ ...DEFAULT_APP_CONFIG, catalog: [] });
const SELF = 'http://127.0.0.1:4173';

describe('buildCsp', () => {
  it('allows the hub, its CDN and the WebLLM library host by default', () => {
    const connect = parseCsp(buildCsp(defaults())).get('connect-src');
    expect(connect).toEqual(["'self'", 'https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co', 'https://raw.githubusercontent.com']);
  });

  it('has the fixed directives the app needs and nothing looser', () => {
    const csp = parseCsp(buildCsp(defaults()));
    expect(csp.get('default-src')).toEqual(["'self'"]);
    // blob: only for the module loader transformers.js creates from our own code; no 'unsafe-eval', no hosts.
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'", 'blob:']);
    expect(csp.get('worker-src')).toEqual(["'self'", 'blob:']);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(csp.get('script-src')).not.toContain("'unsafe-eval'");
    expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
  });

  it('allows only the mirror when the configuration names one', () => {
    const config = { ...defaults(), modelHost: 'https://mirror.example.org/hf', modelLibHost: 'https://libs.example.org/web-llm/', mirrorOnly: true };
    expect(modelConnectSources(config)).toEqual(['https://mirror.example.org', 'https://libs.example.org']);
    expect(buildCsp(config)).not.toContain('huggingface');
  });
});

describe('cspAllowsConnect', () => {
  const policy = buildCsp(defaults());
  it('matches self, exact hosts and wildcard subdomains', () => {
    expect(cspAllowsConnect(policy, `${SELF}/app-config.json`, SELF)).toBe(true);
    expect(cspAllowsConnect(policy, 'https://huggingface.co/x/resolve/main/config.json', SELF)).toBe(true);
    expect(cspAllowsConnect(policy, 'https://cas-bridge.xethub.hf.co/file', SELF)).toBe(true);
    expect(cspAllowsConnect(policy, 'https://hf.co/file', SELF)).toBe(false);
    expect(cspAllowsConnect(policy, 'https://evil.example.org/', SELF)).toBe(false);
    expect(cspAllowsConnect(policy, 'http://huggingface.co/', SELF)).toBe(false);
  });

  it('honours ports and paths', () => {
    const p = "connect-src http://127.0.0.1:9000 https://m.example.org/models/";
    expect(cspAllowsConnect(p, 'http://127.0.0.1:9000/a', SELF)).toBe(true);
    expect(cspAllowsConnect(p, 'http://127.0.0.1:9001/a', SELF)).toBe(false);
    expect(cspAllowsConnect(p, 'https://m.example.org/models/x.onnx', SELF)).toBe(true);
    expect(cspAllowsConnect(p, 'https://m.example.org/other', SELF)).toBe(false);
  });

  it('falls back to default-src', () => {
    expect(cspAllowsConnect("default-src 'self'", 'https://huggingface.co/', SELF)).toBe(false);
    expect(cspAllowsConnect("default-src 'self'", `${SELF}/x`, SELF)).toBe(true);
  });
});

describe('hostsBlockedByCsp', () => {
  it('is empty when the CSP was built from the same configuration', () => {
    const config = { ...defaults(), modelHost: 'http://127.0.0.1:9000' };
    expect(hostsBlockedByCsp(config, buildCsp(config), SELF)).toEqual([]);
  });

  it('names a configured host the running CSP blocks', () => {
    const config = { ...defaults(), modelHost: 'https://mirror.example.org/hf' };
    expect(hostsBlockedByCsp(config, buildCsp(defaults()), SELF)).toEqual(['https://mirror.example.org']);
  });
});

describe('download policy', () => {
  const mirror: AppConfig = { ...defaults(), modelHost: 'https://mirror.example.org', modelLibHost: 'https://mirror.example.org/libs/', mirrorOnly: true };

  it('allows everything when mirrorOnly is off', () => {
    expect(isDownloadAllowed('https://huggingface.co/a', defaults())).toBe(true);
  });

  it('allows only the mirror when mirrorOnly is on', () => {
    expect(isDownloadAllowed('https://mirror.example.org/org/model/resolve/main/config.json', mirror)).toBe(true);
    expect(isDownloadAllowed('https://huggingface.co/org/model/resolve/main/config.json', mirror)).toBe(false);
    expect(isDownloadAllowed('not a url', mirror)).toBe(false);
  });

  it('throws a typed DOWNLOAD_FORBIDDEN error that names the host', () => {
    expect(() => assertDownloadAllowed('https://raw.githubusercontent.com/x.wasm', mirror)).toThrowError(MedfactError);
    try {
      assertDownloadAllowed('https://raw.githubusercontent.com/x.wasm', mirror);
    } catch (error) {
      expect((error as MedfactError).code).toBe('DOWNLOAD_FORBIDDEN');
      expect((error as MedfactError).message).toContain('https://raw.githubusercontent.com');
    }
  });

  it('maps the configuration to a ModelSource', () => {
    expect(toModelSource(mirror)).toEqual({ hubHost: 'https://mirror.example.org', libHost: 'https://mirror.example.org/libs/', mirrorOnly: true });
  });
});

describe('cspFromIndexHtml (the header servers send, so workers run under the policy too)', () => {
  it('reads the policy of a built index.html, entities decoded', async () => {
    const { cspFromIndexHtml, buildCsp } = await import('../../../../src/domain/config/csp');
    const { DEFAULT_APP_CONFIG } = await import('../../../../src/domain/config/types');
    const policy = buildCsp(DEFAULT_APP_CONFIG);
    const escaped = policy.replace(/'/g, '&#39;');
    const html = `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${escaped}"><title>x</title></head></html>`;
    expect(cspFromIndexHtml(html)).toBe(policy);
    expect(cspFromIndexHtml(`<meta content="${policy}" http-equiv='content-security-policy'>`)).toBe(policy);
    expect(cspFromIndexHtml('<html><head></head></html>')).toBeNull();
  });
});
