import { createRequire } from 'node:module';
import path from 'node:path';
import type { RJSFSchema } from '@rjsf/utils';
import type { Options } from 'ajv';
import { build, type Plugin } from 'esbuild';
import { configureInputAjv, inputAjvOptions, type AjvCodegen } from '@shelf/contract';
import { collectSchemas } from './collectSchemas.js';

/**
 * Bumped whenever the generated code changes (options, exports, bundling): modules cached on disk
 * under the old revision are then rebuilt and get a new ETag. Browsers keep the module they cached
 * under its URL until it expires, so the default export's shape must stay what the form expects.
 */
export const moduleRevision = 2;

// Codegen objects of two copies of ajv do not mix (the output would carry `{"_items":…}` where
// code belongs). So Ajv, its code generator (for contract's keywords), its standalone generator
// and the runtime helpers the bundle pulls in all come from one copy: the one ajv-formats resolves.
const requireFromFormats = createRequire(createRequire(import.meta.url).resolve('ajv-formats'));
const formatsDir = path.dirname(requireFromFormats.resolve('ajv-formats/package.json'));
const { Ajv } = requireFromFormats('ajv') as typeof import('ajv');
const { Ajv2020 } = requireFromFormats('ajv/dist/2020') as typeof import('ajv/dist/2020.js');
const standaloneCode = (requireFromFormats('ajv/dist/standalone') as typeof import('ajv/dist/standalone/index.js')).default;
const codegen = requireFromFormats('ajv/dist/compile/codegen/code') as AjvCodegen;

const draft2020 = /^https:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/;

/**
 * An ES module whose default export is the map `@rjsf/validator-ajv8`'s `createPrecompiledValidator`
 * takes: one validate function per schema the form validates against (see collectSchemas), keyed
 * by its `$id` or RJSF's hash of it. Self-contained (ajv's runtime helpers and contract's
 * validatorRuntime — the RE2 engine every pattern runs on, the formats, the linear uniqueItems —
 * bundled in) and free of `eval`/`new Function`, so a page whose CSP has no 'unsafe-eval' can import it.
 */
export async function generateValidatorModule(schema: Record<string, unknown>): Promise<string> {
  // What RJSF's compileSchemaValidatorsCode does, with the server's Ajv instead of RJSF's defaults
  // and the schemas its submit asks about as well.
  const schemas = collectSchemas(schema as RJSFSchema);
  const options: Options = {
    // contract's, as the server's, so the form and POST /api/jobs agree (and no pattern hangs the page).
    ...inputAjvOptions,
    // Not the server's useDefaults: ajv would write defaults into the form's own data while RJSF
    // probes branches, adding fields of branches not chosen. RJSF fills the form's defaults itself.
    useDefaults: false,
    // RJSF names a field by its title from each error's parentSchema.
    verbose: true,
    code: { ...inputAjvOptions.code, source: true },
    schemas,
  };
  // The publish checks only ever store draft-07 (or no $schema) and 2020-12 schemas.
  const ajv = typeof schema.$schema === 'string' && draft2020.test(schema.$schema) ? new Ajv2020(options) : new Ajv(options);
  configureInputAjv(ajv, codegen);
  return bundle(standaloneCode(ajv));
}

const generatedId = 'shelf:generated-validators';

/** Turns ajv's CommonJS output (it `require`s its runtime helpers and the formats) into one ES module. */
async function bundle(commonJs: string): Promise<string> {
  const generated: Plugin = {
    name: 'generated-validators',
    setup(b) {
      b.onResolve({ filter: /^shelf:generated-validators$/ }, () => ({ path: generatedId, namespace: 'generated' }));
      b.onLoad({ filter: /.*/, namespace: 'generated' }, () => ({ contents: commonJs, loader: 'js', resolveDir: formatsDir }));
    },
  };
  const result = await build({
    stdin: { contents: `export { default } from '${generatedId}';`, loader: 'js', resolveDir: formatsDir },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    logLevel: 'silent',
    plugins: [generated],
  });
  return result.outputFiles[0]!.text;
}
