import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { buildCsp, cspFromIndexHtml } from './src/domain/config/csp';
import { APP_CONFIG_CACHE, ENGINE_ASSET_CACHE, ENGINE_ASSET_DIR } from './src/domain/config/cache-names';
import { CONFIG_FILE_NAME, DEFAULT_APP_CONFIG } from './src/domain/config/types';
import { parseAppConfigText } from './src/domain/config/validate';
import { pdfjsAssetsPlugin } from './scripts/vite-pdfjs-assets';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };
const THEME_COLOR = '#0b6e69';

/**
 * Writes the Content-Security-Policy meta into the built index.html. Its
 * connect-src names the model hosts of public/app-config.json when present
 * (else the defaults); `npm run configure` rewrites it after the build.
 * Build only: the dev server needs inline scripts and a websocket.
 */
function cspPlugin(): Plugin {
  let publicDir = 'public';
  return {
    name: 'medfact-csp',
    apply: 'build',
    configResolved(config) {
      publicDir = config.publicDir;
    },
    transformIndexHtml() {
      const file = join(publicDir, CONFIG_FILE_NAME);
      let config = { ...DEFAULT_APP_CONFIG, catalog: [] } as typeof DEFAULT_APP_CONFIG;
      if (existsSync(file)) {
        const parsed = parseAppConfigText(readFileSync(file, 'utf8'));
        for (const issue of parsed.issues) this.warn(`${CONFIG_FILE_NAME}: ${issue.path}: ${issue.message}`);
        config = parsed.config;
      }
      return [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: buildCsp(config) }, injectTo: 'head-prepend' }];
    },
  };
}

/**
 * `npm start` serves the build with the page's CSP as a header too: workers
 * take their policy from their own response headers, not from the page.
 * Read per request, so `npm run configure` applies without a restart.
 */
function cspHeaderPlugin(): Plugin {
  return {
    name: 'medfact-csp-header',
    configurePreviewServer(server) {
      const index = join(server.config.root, server.config.build.outDir, 'index.html');
      server.middlewares.use((_req, res, next) => {
        const policy = existsSync(index) ? cspFromIndexHtml(readFileSync(index, 'utf8')) : null;
        if (policy) res.setHeader('Content-Security-Policy', policy);
        next();
      });
    },
  };
}

// The extraction worker's lazy chunks (pdf.js, its worker, mammoth) are named extract-*; like every worker chunk
// they are precached with the app shell (a first PDF/DOCX import must work offline).
const EXTRACT_MODULE = /[\\/]node_modules[\\/](pdfjs-dist|mammoth)[\\/]/;
const engineOut = {
  entryFileNames: `${ENGINE_ASSET_DIR}[name]-[hash].js`,
  chunkFileNames: (chunk: { moduleIds: readonly string[] }) =>
    chunk.moduleIds.some((id) => EXTRACT_MODULE.test(id)) ? `${ENGINE_ASSET_DIR}extract-[name]-[hash].js` : `${ENGINE_ASSET_DIR}[name]-[hash].js`,
  assetFileNames: `${ENGINE_ASSET_DIR}[name]-[hash][extname]`,
};

export default defineConfig({
  // Relative base: IT may serve the app from any sub-path.
  base: './',
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  plugins: [
    react(),
    cspPlugin(),
    cspHeaderPlugin(),
    pdfjsAssetsPlugin(),
    VitePWA({
      registerType: 'prompt',
      // The glob below already lists the icons; the plugin adds the manifest itself.
      includeManifestIcons: false,
      injectRegister: false,
      strategies: 'generateSW',
      manifest: {
        id: './',
        name: 'MedFact Lens 医学文本事实核查',
        short_name: '医学核查',
        description: '在本机浏览器中核查中文医学文本的事实错误；文本从不离开本设备。',
        lang: 'zh-CN',
        dir: 'ltr',
        display: 'standalone',
        start_url: './',
        scope: './',
        theme_color: THEME_COLOR,
        background_color: '#f4f7f7',
        categories: ['medical', 'productivity'],
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        cacheId: 'medfact-lens',
        // The app shell and every worker's code (engines, benchmark, extraction): a first visit starts the engine
        // worker before the service worker controls the page, so a worker chunk cached only on use would be missing
        // at the first offline start. Never model files, app-config.json or onnxruntime's .wasm/.mjs (transformers.js
        // keeps those in its own cache when a model loads; the runtime rule below catches the rest).
        globPatterns: ['**/*.{html,js,css,svg,png}', 'pdfjs/**/*.{bcmap,pfb,ttf}'],
        globIgnores: ['**/*.wasm', '**/app-config*.json'],
        // WebLLM's bundle is ~6 MB; workbox skips (with only a warning) anything over its 2 MiB default.
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        cleanupOutdatedCaches: true,
        // The first install controls the page at once; later versions wait for the prompt.
        clientsClaim: true,
        skipWaiting: false,
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/\/app-config\.json$/, /\.[a-z0-9]+$/i],
        runtimeCaching: [
          {
            // Fresh when online, last copy (or its 404) offline.
            urlPattern: /\/app-config\.json(\?.*)?$/,
            handler: 'NetworkFirst',
            options: { cacheName: APP_CONFIG_CACHE, networkTimeoutSeconds: 5, cacheableResponse: { statuses: [200, 404] } },
          },
          {
            // onnxruntime's .wasm/.mjs (and any engine asset not precached): cached on first use.
            urlPattern: new RegExp(`/${ENGINE_ASSET_DIR.replace(/\//g, '\\/')}|\\.wasm(\\?.*)?$`),
            handler: 'CacheFirst',
            options: { cacheName: ENGINE_ASSET_CACHE, cacheableResponse: { statuses: [200] }, expiration: { maxEntries: 60 } },
          },
        ],
      },
    }),
  ],
  worker: {
    format: 'es',
    rolldownOptions: { output: engineOut },
  },
  build: {
    // The engine workers (web-llm, transformers.js) are big by nature and load lazily.
    chunkSizeWarningLimit: 8000,
    assetsInlineLimit: (file) => (file.endsWith('.wasm') || file.endsWith('.mjs') ? false : undefined),
  },
  optimizeDeps: {
    // Prebundling these in dev breaks their worker and wasm loading.
    exclude: ['@huggingface/transformers', '@mlc-ai/web-llm', 'onnxruntime-web'],
  },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
});
