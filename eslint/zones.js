/**
 * The lint zones of the folder map (issue 14; README, Architecture). One row
 * per folder: what it is for, and which folders it must never import. Imports
 * flow one way: protocol ← core ← domain / storage / client ← stores / i18n /
 * ui ← features ← app; the CLI and the workers sit beside the app and never
 * import React code.
 */
const FEATURES = ['bench', 'check', 'formulary', 'history', 'library', 'models'];
const REACT_SIDE = ['src/stores', 'src/ui', 'src/i18n', 'src/features', 'src/app'];

/** folder → [purpose, folders it may not import, exceptions ('from'-relative)] */
export const FOLDERS = {
  'src/protocol': ['worker message schemas, the engine interface, typed errors', ['src/core', 'src/domain', 'src/storage', 'src/client', 'src/cli', 'workers', ...REACT_SIDE]],
  'src/core': ['pure logic: prompts, parsing, alignment, gating, check(), dataset import, metrics, retrieval, formulary rules', ['src/domain', 'src/storage', 'src/client', 'src/cli', 'workers', ...REACT_SIDE]],
  'src/domain': ['browser-side domain modules: benchmark runner, catalog, config, model install, reference library, text extraction', ['src/cli', 'workers', ...REACT_SIDE]],
  'src/storage': ['the only IndexedDB code (idb): repositories and schema', ['src/client', 'src/cli', 'workers', ...REACT_SIDE], { 'src/domain': ['./config'] }],
  'src/client': ['main-thread proxies of the workers (requests, cancellation, crash and hang detection)', ['src/storage', 'src/cli', 'workers', ...REACT_SIDE], { 'src/domain': ['./extract'] }],
  'src/stores': ['app-wide zustand stores', ['src/cli', 'workers', 'src/ui', 'src/i18n', 'src/features', 'src/app']],
  'src/i18n': ['translations: one t, keys typed from zh-CN', ['src/cli', 'workers', 'src/ui', 'src/features', 'src/app']],
  'src/ui': ['shared presentational components and helpers', ['src/cli', 'workers', 'src/stores', 'src/features', 'src/app']],
  'src/features': ['screens: check, history, models, bench, formulary, library', ['src/cli', 'workers', 'src/app']],
  // The OpenAI-compatible engine uses only fetch; the app runs it in-process for IT-configured inference servers.
  'src/app': ['the PWA shell: routes, bootstrap, session, update prompt, settings', ['src/cli'], { workers: ['./openai-engine.ts'] }],
  'src/cli': ['the medfact command line over the same core', REACT_SIDE],
  workers: ['the only importers of the model libraries; engine, bench and extraction workers', ['src/cli', ...REACT_SIDE]],
};

/** import-x/no-restricted-paths zones built from FOLDERS, plus feature-to-feature isolation. */
export function zones() {
  const out = [];
  for (const [target, [purpose, forbidden, exceptions = {}]] of Object.entries(FOLDERS)) {
    for (const from of forbidden.filter((f) => !(f in exceptions))) {
      out.push({ target: `./${target}`, from: `./${from}`, message: `${target} (${purpose}) must not import ${from}.` });
    }
    for (const [from, except] of Object.entries(exceptions)) {
      out.push({ target: `./${target}`, from: `./${from}`, except, message: `${target} may import only ${except.join(', ')} from ${from}.` });
    }
  }
  for (const feature of FEATURES) {
    for (const other of FEATURES.filter((f) => f !== feature)) {
      out.push({ target: `./src/features/${feature}`, from: `./src/features/${other}`, message: 'a feature never imports another feature; join them in src/app.' });
    }
  }
  return out;
}
