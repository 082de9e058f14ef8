import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

// Where `npm run dev` sends /api and /ws; SHELF_API_URL points it at an API on another port.
const api = process.env.SHELF_API_URL ?? 'http://127.0.0.1:8080';

/**
 * What the run form's JSON tab (CodeMirror with codemirror-json-schema) needs to work under the
 * page's CSP (`script-src 'self'; style-src 'self'`: no WebAssembly, no inline `<style>`).
 *
 * - Two modules of codemirror-json-schema get ours when it imports them. utils/markdown loads shiki
 *   to highlight code in schema descriptions: WebAssembly, and a megabyte of grammars; ours is the
 *   same `renderMarkdown` with plain markdown-it, so no shiki reaches the bundle. parsers/index
 *   brings the JSON5 and YAML parsers along; ours hands out the JSON one alone.
 * - style-mod, which mounts CodeMirror's styles, uses a constructed stylesheet (adoptedStyleSheets,
 *   CSSOM, which the CSP allows) only inside shadow roots and an inline `<style>` in a document,
 *   which the CSP refuses, leaving the editor unstyled. It is made to adopt a sheet in both.
 */
function codemirrorUnderCsp(): Plugin {
  const ours = (file: string) => fileURLToPath(new URL(`./src/lib/${file}`, import.meta.url));
  const swaps: [RegExp, string][] = [
    [/^\.\.?\/(?:utils\/)?markdown(?:\.js)?$/, ours('schemaMarkdown.ts')],
    [/^\.\.?\/parsers(?:\/index)?(?:\.js)?$/, ours('schemaJsonParser.ts')],
  ];
  const documentStyleTag = 'if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {';
  return {
    name: 'shelf:codemirror-under-csp',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer || !/[\\/]node_modules[\\/]codemirror-json-schema[\\/]/.test(importer)) return null;
      return swaps.find(([pattern]) => pattern.test(source))?.[1] ?? null;
    },
    transform(code, id) {
      if (!/[\\/]node_modules[\\/]style-mod[\\/]/.test(id)) return null;
      // Loudly, should a new style-mod mount its styles another way: the editor would lose them without a word.
      if (!code.includes(documentStyleTag)) this.error(`style-mod changed: ${id} no longer reads "${documentStyleTag}"; see codemirrorUnderCsp in vite.config.ts`);
      return { code: code.replace(documentStyleTag, 'if (root.adoptedStyleSheets && win.CSSStyleSheet) {'), map: null };
    },
  };
}

// The API serves dist/ at / in production; in development Vite proxies the API and the job WebSocket to it.
export default defineConfig({
  base: '/',
  plugins: [codemirrorUnderCsp(), react(), tailwindcss()],
  // `npm run dev` pre-bundles dependencies without the plugins above: give the optimizer this one too.
  optimizeDeps: { rolldownOptions: { plugins: [codemirrorUnderCsp()] } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    reportCompressedSize: true,
    rolldownOptions: {
      // contract has no side effects (STYLE: no I/O); saying so lets Rollup drop its server-side
      // validators (ajv, yaml, semver) that the browser never calls.
      treeshake: { moduleSideEffects: (id) => !/[\\/]contract[\\/]src[\\/]/.test(id) },
      output: {
        // The item page's libraries in two cacheable chunks of their own (the form, and Markdown; the
        // form's validators are per-version modules the API serves). React and the router get a named chunk too, or Rollup would hoist them into `form`.
        manualChunks(id) {
          if (/node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom|@tanstack[\\/]react-query|@tanstack[\\/]query-core)[\\/]/.test(id)) return 'vendor';
          if (/node_modules[\\/](@rjsf|fast-deep-equal|lodash|lodash-es|markdown-to-jsx|jsonpointer|react-is|nanoid)[\\/]/.test(id)) return 'form';
          if (/node_modules[\\/](marked|dompurify)[\\/]/.test(id)) return 'markdown';
          // The JSON tab's editor, loaded with the tab: CodeMirror apart from the schema support around it.
          if (/node_modules[\\/](@codemirror|@lezer|@marijn|codemirror|style-mod|w3c-keyname|crelt)[\\/]/.test(id)) return 'codemirror';
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
