// Lint rules also enforce the architecture: imports flow one way
// (core/protocol ← client/storage/stores ← features ← app), heavy model
// libraries live only in workers/, idb only in src/storage/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const heavy = [
  { name: '@mlc-ai/web-llm', message: 'Model libraries live only in workers/.' },
  { name: '@huggingface/transformers', message: 'Model libraries live only in workers/.' },
  { name: 'onnxruntime-web', message: 'Model libraries live only in workers/.' },
];
const idb = [{ name: 'idb', message: 'Only src/storage/ talks to IndexedDB.' }];
const zod = [{ name: 'zod', message: "Import z from src/protocol/zod: it sets jitless, which the app's CSP needs." }];

export default tseslint.config(
  { ignores: ['dist/', 'dev-dist/', 'node_modules/', 'tests/.cache/', 'perf/out/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': ['error', { paths: [...heavy, ...idb, ...zod] }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/protocol/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: [...heavy, ...idb, ...zod, { name: 'react', message: 'core and protocol are pure.' }, { name: 'zustand', message: 'core and protocol are pure.' }],
          patterns: [
            { group: ['**/features/**', '**/app/**', '**/stores/**', '**/storage/**', '**/client/**'], message: 'core and protocol import nothing above them.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    languageOptions: { globals: { ...globals.es2024 } },
    rules: {
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'indexedDB'],
    },
  },
  {
    files: ['src/storage/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [...heavy, ...zod] }] },
  },
  // Features never import the app shell or another feature; the app joins them.
  ...['check', 'history', 'models', 'bench', 'formulary', 'library'].map((feature) => ({
    files: [`src/features/${feature}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...heavy, ...idb, ...zod],
          patterns: [
            { group: ['**/app/**'], message: 'features never import the app shell.' },
            {
              // Relative imports name the sibling folder without `features/`, so match the folder itself.
              group: ['check', 'history', 'models', 'bench', 'formulary', 'library'].filter((f) => f !== feature).flatMap((f) => [`**/features/${f}/**`, `../${f}`, `../${f}/**`, `../../${f}/**`, `../../../${f}/**`]),
              message: 'a feature never imports another feature; join them in src/app.',
            },
          ],
        },
      ],
    },
  })),
  {
    files: ['src/protocol/zod.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/cli/**/*.ts', 'tests/**/*.{ts,tsx}', 'perf/**/*.ts', 'scripts/**/*.{js,mjs,ts}'],
    rules: { 'no-console': 'off', 'no-restricted-imports': 'off' },
  },
);
