/**
 * Serves pdf.js's CMaps and standard fonts from the app's own origin under
 * pdfjs/ (copied from node_modules into the build; served from there by the
 * dev server). Without the CMaps, Chinese PDF text silently disappears, and
 * a CDN would break offline use; the service worker precaches them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

const FOLDERS = ['cmaps', 'standard_fonts'] as const;

function pdfjsRoot(): string {
  return dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
}

export function pdfjsAssetsPlugin(outDir = 'pdfjs'): Plugin {
  return {
    name: 'medfact-pdfjs-assets',
    generateBundle() {
      const root = pdfjsRoot();
      for (const folder of FOLDERS) {
        for (const name of readdirSync(join(root, folder))) {
          if (name.startsWith('LICENSE')) continue;
          this.emitFile({ type: 'asset', fileName: `${outDir}/${folder}/${name}`, source: readFileSync(join(root, folder, name)) });
        }
      }
    },
    configureServer(server) {
      const root = pdfjsRoot();
      server.middlewares.use((req, res, next) => {
        const m = /\/pdfjs\/(cmaps|standard_fonts)\/([A-Za-z0-9._-]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
        if (!m) return next();
        try {
          const body = readFileSync(join(root, m[1] as string, m[2] as string));
          res.setHeader('Content-Type', 'application/octet-stream');
          res.end(body);
        } catch {
          res.statusCode = 404;
          res.end();
        }
      });
    },
  };
}
