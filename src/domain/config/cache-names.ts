/**
 * Cache Storage names shared by the service worker (vite.config) and the
 * runtime rule for onnxruntime binaries (worker code is precached). The suffix
 * is the cache's format version: bump it to drop old caches on activate.
 */
export const ENGINE_ASSET_CACHE = 'medfact-engine-assets-v1';
export const APP_CONFIG_CACHE = 'medfact-app-config-v1';
/** Where the build puts worker bundles and their assets (onnxruntime .wasm/.mjs). */
export const ENGINE_ASSET_DIR = 'assets/engine/';
