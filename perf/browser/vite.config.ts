/**
 * Bench-only build (never shipped): a page that exposes the runner and
 * engine-overhead measurements to Playwright. Built into perf/out/browser
 * by perf/browser.ts; the production build does not include it.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  define: { __APP_VERSION__: JSON.stringify('bench') },
  worker: { format: 'es' },
  build: {
    chunkSizeWarningLimit: 10_000,
    assetsInlineLimit: (file) => (file.endsWith('.wasm') || file.endsWith('.mjs') ? false : undefined),
  },
  optimizeDeps: { exclude: ['@huggingface/transformers', 'onnxruntime-web'] },
});
