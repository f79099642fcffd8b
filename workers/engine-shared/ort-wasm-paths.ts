/**
 * Browser-only: the onnxruntime-web runtime files, served by the app itself
 * (never a CDN) so models run offline from the PWA.
 *
 * transformers.js 4.3.1 imports `onnxruntime-web/webgpu`, whose single
 * asyncify build serves both the `wasm` and the `webgpu` execution
 * providers, and it points `wasmPaths` at the asyncify pair by default (the
 * plain build only for Safari < 26 without WebGPU, which this app does not
 * target). So one pair covers both devices. Vite turns `?url` imports into
 * hashed asset URLs; Node has no such imports, so only the browser path may
 * import this module (dynamically).
 */
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import mjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';

export interface OrtWasmPaths {
  wasm: string;
  mjs: string;
}

export const ortWasmPaths: OrtWasmPaths = { wasm: wasmUrl, mjs: mjsUrl };
