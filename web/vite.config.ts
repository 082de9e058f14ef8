import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import * as vite from 'vite';
import { defineConfig, type PluginOption } from 'vite';

// Where `npm run dev` sends /api and /ws; SHELF_API_URL points it at an API on another port.
const api = process.env.SHELF_API_URL ?? 'http://127.0.0.1:8080';

/**
 * @vitejs/plugin-react is hoisted to the repository root, where vitest brought in the Rolldown-based
 * Vite 8, so it sets itself up for Rolldown even though this workspace runs Vite 7. Its
 * Rolldown-only plugins break `vite dev` here; without them pages reload instead of hot-swapping.
 */
function reactPlugins(): PluginOption[] {
  const rolldownOnly = new Set(['vite:react:refresh-wrapper', 'vite:react:config-post', 'vite:react-refresh-fbm']);
  const plugins = react();
  return 'rolldownVersion' in vite ? plugins : plugins.filter((p) => !(p && 'name' in p && rolldownOnly.has(p.name)));
}

// The API serves dist/ at / in production; in development Vite proxies the API and the job WebSocket to it.
export default defineConfig({
  base: '/',
  plugins: [reactPlugins(), tailwindcss()],
  // One ajv in the bundle: the form's validator and the 2020-12 dialect class share it.
  resolve: { dedupe: ['ajv'] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    reportCompressedSize: true,
    rollupOptions: {
      // contract has no side effects (STYLE: no I/O); saying so lets Rollup drop its server-side
      // validators (ajv, yaml, semver) that the browser never calls.
      treeshake: { moduleSideEffects: (id) => !/[\\/]contract[\\/]src[\\/]/.test(id) },
      output: {
        // The item page's libraries in two cacheable chunks of their own (the form and its validator, and
        // Markdown). React and the router get a named chunk too, or Rollup would hoist them into `form`.
        manualChunks(id) {
          if (/node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom|@tanstack[\\/]react-query|@tanstack[\\/]query-core)[\\/]/.test(id)) return 'vendor';
          if (/node_modules[\\/](@rjsf|ajv|ajv-formats|fast-deep-equal|fast-uri|json-schema-traverse|lodash|lodash-es|markdown-to-jsx|jsonpointer|react-is|nanoid)[\\/]/.test(id)) return 'form';
          if (/node_modules[\\/](marked|dompurify)[\\/]/.test(id)) return 'markdown';
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/ws': { target: api, ws: true },
    },
  },
});
