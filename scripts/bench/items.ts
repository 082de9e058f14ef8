import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { create as createTar } from 'tar';
import { postJson } from './client.js';

export const SHELL_IMAGE = 'shelf/runtime-shell:1';

/** The log flood's line `seq` (the checker and the bare baseline print the same). */
export const floodLine = (seq: number): string => `line ${seq} of the log flood`;
/** The same lines, printed by coreutils as fast as the runtime can. */
export const floodCommand = (lines: number): string[] => ['seq', '-f', 'line %.0f of the log flood', '1', String(lines)];

export interface ItemSpec {
  id: string;
  name: string;
  version?: string;
  command: string[];
  schema?: Record<string, unknown>;
  files?: Record<string, string | Buffer>;
}

/** Writes an item folder (manifest.json, schema.json, files) and returns its path. */
export async function writeItem(parent: string, spec: ItemSpec): Promise<string> {
  const dir = path.join(parent, `${spec.id}-${spec.version ?? '1.0.0'}`);
  await mkdir(dir, { recursive: true });
  const manifest = {
    id: spec.id,
    name: spec.name,
    version: spec.version ?? '1.0.0',
    description: 'Written by the benchmark.',
    owner: 'bench',
    tags: ['bench'],
    runtime: { image: SHELL_IMAGE, command: spec.command },
    timeout: 600,
    resources: { memory: '256Mi', cpus: 1, pids: 64 },
    network: 'none',
  };
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  await writeFile(path.join(dir, 'schema.json'), JSON.stringify(spec.schema ?? { type: 'object', properties: {} }, null, 2));
  for (const [name, content] of Object.entries(spec.files ?? {})) await writeFile(path.join(dir, name), content);
  return dir;
}

/** `POST /api/catalog/local/import`; throws unless the version was created (or already there). */
export async function importLocal(url: string, dir: string): Promise<{ id: string; version: string; digest: string }> {
  const res = await postJson(`${url}/api/catalog/local/import`, { path: dir });
  if (res.status !== 201 && res.status !== 200) throw new Error(`local import of ${dir} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as { id: string; version: string; digest: string };
}

/** The items every job scenario runs: a no-op (`true`) and a log flood. */
export async function importBenchItems(url: string, itemsDir: string): Promise<{ noop: string; flood: string }> {
  await importLocal(url, await writeItem(itemsDir, { id: 'bench-noop', name: 'Bench no-op', command: ['true'] }));
  await importLocal(
    url,
    await writeItem(itemsDir, {
      id: 'bench-flood',
      name: 'Bench log flood',
      command: ['bash', 'flood.sh'],
      schema: { type: 'object', properties: { lines: { type: 'integer', minimum: 1, maximum: 1_000_000 } }, required: ['lines'] },
      files: { 'flood.sh': `seq -f 'line %.0f of the log flood' 1 "$(jq -r .lines "$SHELF_INPUT")"\n` },
    }),
  );
  return { noop: 'bench-noop', flood: 'bench-flood' };
}

/** A `.tar.gz` of a valid item carrying `bytes` of incompressible data: the upload row's bundle. */
export async function writeUploadBundle(parent: string, id: string, bytes: number): Promise<string> {
  const dir = await writeItem(parent, { id, name: `Bench upload ${id}`, command: ['true'], files: { 'data.bin': randomBytes(bytes) } });
  const file = `${dir}.tar.gz`;
  await createTar({ gzip: true, portable: true, cwd: dir, file }, ['manifest.json', 'schema.json', 'data.bin']);
  return file;
}
