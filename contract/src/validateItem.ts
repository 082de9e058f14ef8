import { Ajv, type ErrorObject } from 'ajv';
import semver from 'semver';
import { parseDocument } from 'yaml';
import { maxApprovalTimeoutSeconds, parseApprovalTimeout } from './approval.js';
import type { Problem } from './errors.js';
import { ItemFiles, manifestSchema, type Manifest } from './manifest.js';
import { ajvProblem, compileInputSchema } from './schemaCompiler.js';
import { secretSchemaProblems } from './secrets.js';

/** The text of an item's files, as read from a folder or a bundle. */
export interface ItemTexts {
  manifestFile: string;
  manifest: string;
  schema?: string;
  uiSchema?: string;
  readme?: string;
}

export interface ValidItem {
  manifest: Manifest & { version: string };
  schema: Record<string, unknown>;
  uiSchema: Record<string, unknown>;
  readme: string;
}

export type ItemValidation = { ok: true; item: ValidItem } | { ok: false; problems: Problem[] };

const manifestAjv = new Ajv({ allErrors: true, strict: true });
const validateManifestShape = manifestAjv.compile(manifestSchema);

/** The most a README may weigh in the registry; the rest stays in the bundle. */
export const maxReadmeChars = 256 * 1024;

function parseManifest(file: string, text: string, problems: Problem[]): unknown {
  if (file.endsWith('.json')) return parseJson(file, text, problems);
  // A small alias budget defuses "billion laughs" documents; unique keys catch copy-paste mistakes.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    for (const e of doc.errors) problems.push({ file, path: '', message: `YAML: ${e.message.split('\n')[0]}` });
    return undefined;
  }
  try {
    return doc.toJS({ maxAliasCount: 20 });
  } catch (err) {
    problems.push({ file, path: '', message: `YAML: ${(err as Error).message}` });
    return undefined;
  }
}

function parseJson(file: string, text: string, problems: Problem[]): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    problems.push({ file, path: '', message: `invalid JSON: ${(err as Error).message}` });
    return undefined;
  }
}

/**
 * Validates an item's files and reports every problem at once, each naming its file and JSON path.
 * `tagVersion` is the version a Git tag decides; a manifest version that disagrees is a problem.
 */
export function validateItem(texts: ItemTexts, opts: { tagVersion?: string } = {}): ItemValidation {
  const problems: Problem[] = [];
  const mf = texts.manifestFile;
  const manifest = parseManifest(mf, texts.manifest, problems) as Record<string, unknown> | undefined;
  if (manifest !== undefined) {
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
      problems.push({ file: mf, path: '', message: 'the manifest must be a mapping of fields' });
    } else if (!validateManifestShape(manifest)) {
      for (const e of validateManifestShape.errors as ErrorObject[]) problems.push({ file: mf, ...ajvProblem(e) });
    }
  }
  const m = (typeof manifest === 'object' && manifest !== null ? manifest : {}) as Partial<Manifest>;
  // The pattern bounds the shape; the unit decides the length, which only arithmetic can bound.
  const approvalTimeout = typeof m.approval?.timeout === 'string' ? parseApprovalTimeout(m.approval.timeout) : null;
  if (approvalTimeout !== null && approvalTimeout > maxApprovalTimeoutSeconds) {
    problems.push({ file: mf, path: '/approval/timeout', message: `"${m.approval!.timeout}" is longer than the 30d a request may wait` });
  }
  let version = m.version;
  if (opts.tagVersion !== undefined) {
    if (version !== undefined && version !== opts.tagVersion) {
      problems.push({ file: mf, path: '/version', message: `manifest version ${version} disagrees with the tag's version ${opts.tagVersion}` });
    }
    version = opts.tagVersion;
  }
  if (version === undefined) {
    problems.push({ file: mf, path: '/version', message: '"version" is required' });
  } else if (typeof version === 'string' && semver.valid(version) !== version) {
    problems.push({ file: mf, path: '/version', message: `"${version}" is not a semantic version (e.g. 1.2.0)` });
  }

  let schema: unknown = { type: 'object', properties: {} };
  if (texts.schema === undefined) {
    problems.push({ file: ItemFiles.schema, path: '', message: `${ItemFiles.schema} is missing` });
  } else {
    schema = parseJson(ItemFiles.schema, texts.schema, problems);
    if (schema !== undefined) {
      const compiled = compileInputSchema(schema);
      if (!compiled.ok) for (const p of compiled.problems) problems.push({ file: ItemFiles.schema, ...p });
      for (const p of secretSchemaProblems(schema)) problems.push({ file: ItemFiles.schema, ...p });
    }
  }

  let uiSchema: unknown = {};
  if (texts.uiSchema !== undefined) {
    uiSchema = parseJson(ItemFiles.uiSchema, texts.uiSchema, problems);
    if (uiSchema !== undefined && (typeof uiSchema !== 'object' || uiSchema === null || Array.isArray(uiSchema))) {
      problems.push({ file: ItemFiles.uiSchema, path: '', message: 'the uiSchema must be a JSON object' });
    }
  }

  const readme = texts.readme ?? '';
  if (readme.length > maxReadmeChars) {
    problems.push({ file: ItemFiles.readme, path: '', message: `README.md is longer than ${maxReadmeChars} characters` });
  }

  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    item: {
      manifest: { ...(m as Manifest), version: version as string },
      schema: schema as Record<string, unknown>,
      uiSchema: uiSchema as Record<string, unknown>,
      readme,
    },
  };
}
