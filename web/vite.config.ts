import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Where `npm run dev` sends /api and /ws; SHELF_API_URL points it at an API on another port.
const api = process.env.SHELF_API_URL ?? 'http://127.0.0.1:8080';

// The API serves dist/ at / in production; in development Vite proxies the API and the job WebSocket to it.
export default defineConfig({
  base: '/',
  plugins: [react(), tailwindcss()],
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
