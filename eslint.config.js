// Lint rules for the whole repository. Not type-aware on purpose: `npm run typecheck`
// already runs tsc, and this keeps `npm run lint` to a few seconds.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Plain .js files run on Node (tooling, catalog items for the node runtime); TypeScript
// files need no such list because tsc checks names.
const nodeGlobals = Object.fromEntries(
  [
    'AbortController', 'Buffer', 'TextDecoder', 'TextEncoder', 'URL', 'URLSearchParams',
    'clearInterval', 'clearTimeout', 'console', 'fetch', 'performance', 'process',
    'queueMicrotask', 'setImmediate', 'setInterval', 'setTimeout', 'structuredClone',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      'web/dist/',
      'bundles/',
      'bench/results/',
      '.shelf/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    rules: {
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Production code changes and reads jobs only through JobRecords and RunRecorder, never the raw
    // layout, which is there for tests and the benchmark to seed or damage the store.
    files: ['api/src/**/*.ts', 'worker/src/**/*.ts', 'records/src/**/*.ts'],
    ignores: ['records/src/layout.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@shelf/records/layout', message: 'tests and the benchmark only: use JobRecords or RunRecorder from @shelf/records' }],
          patterns: [{ group: ['./layout', './layout.js'], message: 'tests and the benchmark only: use JobRecords or RunRecorder' }],
        },
      ],
    },
  },
  {
    // Tests read JSON answers whose shape the assertions themselves check.
    files: ['**/*.test.ts', '**/*.test.tsx', '**/test/**/*.ts', 'e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
