/**
 * A small static server for the production build (node:http): correct MIME
 * types (application/wasm, application/manifest+json), an SPA fallback for
 * navigations, and a per-instance override of /app-config.json so a test can
 * point the app at a mirror or feed it a broken file.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { cspFromIndexHtml } from '../../src/domain/config/csp';

export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
};

export interface AppServerOptions {
  dist: string;
  /**
   * undefined: serve dist/app-config.json if the build has one;
   * null: answer 404; string: served verbatim (malformed JSON allowed); object: served as JSON.
   */
  appConfig?: object | string | null;
  host?: string;
  port?: number;
}

export interface AppServer {
  url: string;
  origin: string;
  /** Paths requested so far, in order (for tests that check what the app fetched). */
  requests: string[];
  setAppConfig(appConfig: object | string | null | undefined): void;
  close(): Promise<void>;
}

export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  const root = resolve(options.dist);
  let appConfig = options.appConfig;
  const requests: string[] = [];

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = decodeURIComponent(url.pathname);
    requests.push(pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    // Revalidate everything: the service worker, not the HTTP cache, is what makes the app work offline.
    res.setHeader('Cache-Control', 'no-cache');
    // As the README asks of production servers: the page's policy as a header too, so workers run under it.
    const indexFile = join(root, 'index.html');
    const policy = existsSync(indexFile) ? cspFromIndexHtml(readFileSync(indexFile, 'utf8')) : null;
    if (policy) res.setHeader('Content-Security-Policy', policy);

    if (pathname.endsWith('/app-config.json') && appConfig !== undefined) {
      if (appConfig === null) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      } else {
        const body = typeof appConfig === 'string' ? appConfig : JSON.stringify(appConfig);
        res.writeHead(200, { 'content-type': MIME_TYPES['.json'] }).end(req.method === 'HEAD' ? undefined : body);
      }
      return;
    }

    let file = normalize(join(root, pathname));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      // SPA fallback for navigations only; a missing file with an extension is a real 404.
      if (extname(pathname) === '') file = join(root, 'index.html');
      else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
    }
    const type = MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'content-length': statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const { address, port } = server.address() as AddressInfo;
  const origin = `http://${address}:${port}`;
  return {
    url: `${origin}/`,
    origin,
    requests,
    setAppConfig(next) {
      appConfig = next;
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
