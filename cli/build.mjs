// Bundles the CLI into one file (dist/shelf.js) that plain Node runs: the workspace's contract
// package is TypeScript source, so `npm install -g ./cli` and `npx` need it compiled in.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

if (existsSync(new URL('./src/main.ts', import.meta.url))) {
  await build({
    entryPoints: [new URL('./src/main.ts', import.meta.url).pathname],
    outfile: new URL('./dist/shelf.js', import.meta.url).pathname,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __shelfRequire } from 'node:module'; const require = __shelfRequire(import.meta.url);" },
    define: { SHELF_CLI_VERSION: JSON.stringify(version) },
    logLevel: 'warning',
  });
  await chmod(new URL('./dist/shelf.js', import.meta.url), 0o755);
}
