/**
 * The Content-Security-Policy follows from the deployment configuration:
 * connect-src allows the app's own origin plus the model hosts and the
 * inference servers (inferenceEndpoints) it names.
 * Used at build time (vite.config), by `npm run configure` after the build,
 * and at start-up to warn when app-config.json names a host the CSP blocks.
 */
import type { AppConfig } from './types';

/** The hub answers file requests with redirects to its CDN and storage hosts. */
const HUB_COMPANIONS: Readonly<Record<string, readonly string[]>> = {
  'huggingface.co': ['https://*.huggingface.co', 'https://*.hf.co'],
};

function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

/** Hosts (CSP source expressions) that model downloads may reach under this configuration. */
export function modelConnectSources(config: AppConfig): string[] {
  const out: string[] = [];
  const add = (source: string | null) => {
    if (source && !out.includes(source)) out.push(source);
  };
  const addHost = (url: string) => {
    const origin = originOf(url);
    add(origin);
    if (origin) for (const companion of HUB_COMPANIONS[new URL(origin).hostname] ?? []) add(companion);
  };
  addHost(config.modelHost);
  addHost(config.modelLibHost);
  if (!config.mirrorOnly) {
    // Catalog entries may name libraries elsewhere unless downloads are pinned to the mirror.
    for (const entry of config.catalog) if (entry.modelLib) add(originOf(entry.modelLib));
  }
  return out;
}

/**
 * Origins of the inference servers IT allows (exactly those, no wildcards).
 * Kept apart from modelConnectSources: model downloads never go there.
 */
export function inferenceConnectSources(config: AppConfig): string[] {
  const out: string[] = [];
  for (const e of config.inferenceEndpoints ?? []) {
    const origin = originOf(e.baseUrl);
    if (origin && !out.includes(origin)) out.push(origin);
  }
  return out;
}

export function buildCsp(config: AppConfig): string {
  const sources = ["'self'", ...modelConnectSources(config)];
  for (const s of inferenceConnectSources(config)) if (!sources.includes(s)) sources.push(s);
  const connect = sources.join(' ');
  return [
    "default-src 'self'",
    // blob: because transformers.js imports onnxruntime's loader from a blob URL our own code creates.
    "script-src 'self' 'wasm-unsafe-eval' blob:",
    "worker-src 'self' blob:",
    `connect-src ${connect}`,
    "img-src 'self' data: blob:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
  ].join('; ');
}

/** Directive name → source list. */
export function parseCsp(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    const key = name.toLowerCase();
    if (!out.has(key)) out.set(key, sources);
  }
  return out;
}

function sourceMatches(source: string, url: URL, selfOrigin: string): boolean {
  const s = source.toLowerCase();
  if (s === "'self'") return url.origin === selfOrigin;
  if (s === '*') return url.protocol === 'http:' || url.protocol === 'https:';
  if (/^[a-z][a-z0-9+.-]*:$/.test(s)) return url.protocol === s || (s === 'http:' && url.protocol === 'https:');
  const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*\.)?([^/:]+)(?::(\d+|\*))?(\/.*)?$/.exec(s);
  if (!m) return false;
  const [, scheme, wildcard, host = '', port, path] = m;
  if (scheme && `${scheme}:` !== url.protocol && !(scheme === 'http' && url.protocol === 'https:')) return false;
  const hostname = url.hostname.toLowerCase();
  if (wildcard ? !hostname.endsWith(`.${host}`) : hostname !== host) return false;
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  if (port !== '*' && (port ?? defaultPort) !== (url.port || defaultPort)) return false;
  if (path && path !== '/') return path.endsWith('/') ? url.pathname.startsWith(path) : url.pathname === path;
  return true;
}

/** Whether `connect-src` (or `default-src`) of the policy lets the page fetch `url`. */
export function cspAllowsConnect(policy: string, url: string, selfOrigin: string): boolean {
  const directives = parseCsp(policy);
  const sources = directives.get('connect-src') ?? directives.get('default-src');
  if (!sources) return true;
  let target: URL;
  try {
    target = URL.canParse(url) ? new URL(url) : new URL(url, selfOrigin);
  } catch {
    return false;
  }
  return sources.some((source) => sourceMatches(source, target, selfOrigin));
}

/** The configured hosts that the running CSP would block (empty when all is well). */
export function hostsBlockedByCsp(config: AppConfig, policy: string, selfOrigin: string): string[] {
  const wanted = [
    config.modelHost,
    config.modelLibHost,
    ...(config.mirrorOnly ? [] : config.catalog.flatMap((e) => (e.modelLib ? [e.modelLib] : []))),
    ...(config.inferenceEndpoints ?? []).map((e) => e.baseUrl),
  ];
  const blocked: string[] = [];
  for (const url of wanted) {
    const origin = originOf(url);
    if (origin && !cspAllowsConnect(policy, url, selfOrigin) && !blocked.includes(origin)) blocked.push(origin);
  }
  return blocked;
}

/**
 * The policy of a built index.html's CSP meta, for servers to send as a
 * header too: workers take their CSP from their own response headers, not
 * from the page that started them.
 */
export function cspFromIndexHtml(html: string): string | null {
  const tag = /<meta\b[^>]*http-equiv=["']Content-Security-Policy["'][^>]*>/i.exec(html)?.[0];
  const content = tag ? /\bcontent=(["'])([\s\S]*?)\1/i.exec(tag)?.[2] : undefined;
  return content ? content.replace(/&#39;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&') : null;
}
