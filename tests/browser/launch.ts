/**
 * Debian's Chromium through Playwright, headless, with software WebGPU and
 * without the background traffic Chromium would otherwise send, so a test
 * can assert that the app itself talks only to its own origin (and mirror).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Request } from 'playwright';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];

export interface LaunchedBrowser {
  context: BrowserContext;
  userDataDir: string;
  close(): Promise<void>;
}

export async function launchBrowser(options: { userDataDir?: string; viewport?: { width: number; height: number } } = {}): Promise<LaunchedBrowser> {
  const owned = options.userDataDir === undefined;
  const userDataDir = options.userDataDir ?? mkdtempSync(join(tmpdir(), 'medfact-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: options.viewport ?? { width: 1280, height: 720 },
    locale: 'zh-CN',
    serviceWorkers: 'allow',
  });
  return {
    context,
    userDataDir,
    async close() {
      await context.close();
      if (owned) rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface RequestLog {
  /** Every URL requested by pages and service workers of the context, in order. */
  readonly urls: string[];
  /** URLs whose origin is none of the allowed origins (data: and blob: are local). */
  outside(allowedOrigins: readonly string[]): string[];
  stop(): void;
}

export function recordRequests(context: BrowserContext): RequestLog {
  const urls: string[] = [];
  const onRequest = (request: Request) => urls.push(request.url());
  context.on('request', onRequest);
  return {
    urls,
    outside(allowedOrigins) {
      return urls.filter((url) => {
        if (url.startsWith('data:') || url.startsWith('blob:')) return false;
        try {
          return !allowedOrigins.includes(new URL(url).origin);
        } catch {
          return true;
        }
      });
    },
    stop() {
      context.off('request', onRequest);
    },
  };
}
