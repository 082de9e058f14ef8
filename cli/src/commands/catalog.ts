import type { Command } from 'commander';
import type { CatalogItem, DescriptorAnswer, Source, VersionInfo } from '@shelf/contract';
import { connect, outputOf } from '../context.js';
import { itemPath, parseItemRef } from '../itemRef.js';
import type { Output } from '../output.js';
import { shortTime } from '../output.js';

export function addCatalogCommands(program: Command): void {
  program
    .command('items')
    .description('list the catalog')
    .addHelpText('after', '\nExamples:\n  $ shelf items\n  $ shelf items --json | jq -r \'.[].id\'')
    .action(async (_opts: unknown, cmd: Command) => {
      const out = outputOf(cmd);
      const { items } = await (await connect()).get<{ items: CatalogItem[] }>('/api/catalog');
      if (out.json) return out.data(items);
      out.table(items, [
        { title: 'ID', cell: (i) => i.id },
        { title: 'LATEST', cell: (i) => i.latestVersion },
        { title: 'VERSIONS', cell: (i) => String(i.versionCount) },
        { title: 'NAME', cell: (i) => i.name },
        { title: 'DESCRIPTION', cell: (i) => i.description ?? '' },
      ]);
    });

  program
    .command('versions')
    .description("list an item's versions, highest first")
    .argument('<item>', 'the item id')
    .addHelpText('after', '\nExample:\n  $ shelf versions hello-world')
    .action(async (item: string, _opts: unknown, cmd: Command) => {
      const out = outputOf(cmd);
      const { id } = parseItemRef(item);
      const { items } = await (await connect()).get<{ items: VersionInfo[] }>(`/api/catalog/${encodeURIComponent(id)}/versions`);
      if (out.json) return out.data(items);
      out.table(items, [
        { title: 'VERSION', cell: (v) => v.version },
        { title: 'CREATED', cell: (v) => shortTime(v.createdAt) },
        { title: 'BY', cell: (v) => v.source.importedBy },
        { title: 'DIGEST', cell: (v) => (out.tty ? v.digest.slice(0, 12) : v.digest) },
        { title: 'SOURCE', cell: (v) => describeSource(v.source) },
      ]);
    });

  program
    .command('show')
    .description('show an item version and its inputs')
    .argument('<item>', 'ITEM or ITEM@VERSION (default: latest)')
    .addHelpText('after', '\nExamples:\n  $ shelf show hello-world\n  $ shelf show hello-world@1.2.0 --json | jq .schema')
    .action(async (item: string, _opts: unknown, cmd: Command) => {
      const out = outputOf(cmd);
      const ref = parseItemRef(item);
      const d = await (await connect()).get<DescriptorAnswer>(`/api/catalog/${itemPath(ref)}/descriptor`);
      if (out.json) return out.data(d);
      showDescriptor(out, d);
    });
}

function describeSource(s: Source): string {
  if (s.kind === 'git') return `git ${s.url} ${s.tag} (${s.commit.slice(0, 10)})`;
  if (s.kind === 'local') return `local ${s.path}`;
  return `upload ${s.fileName}`;
}

/** One row per top-level input: what the form shows as its fields. */
export function inputRows(schema: Record<string, unknown>): { name: string; type: string; required: string; default: string; description: string }[] {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(properties).map(([name, p]) => ({
    name,
    type: typeOf(p),
    required: required.has(name) ? 'yes' : '',
    default: p.writeOnly ? '(secret)' : 'default' in p ? JSON.stringify(p.default) : '',
    description: [p.title, p.description].filter((t) => typeof t === 'string' && t !== '').join(' — '),
  }));
}

function typeOf(p: Record<string, unknown>): string {
  if (Array.isArray(p.enum)) return `one of ${p.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const type = Array.isArray(p.type) ? p.type.join('|') : typeof p.type === 'string' ? p.type : 'any';
  const items = p.items as Record<string, unknown> | undefined;
  if (type === 'array' && items && typeof items.type === 'string') return `array of ${items.type}`;
  return typeof p.format === 'string' ? `${type} (${p.format})` : type;
}

function showDescriptor(out: Output, d: DescriptorAnswer): void {
  const m = d.manifest;
  const c = out.color;
  out.line(`${c.bold(m.name)} ${c.dim(`${m.id}@${m.version}`)}`);
  if (m.description) out.line(m.description);
  out.line();
  const facts: [string, string][] = [
    ['owner', m.owner ?? ''],
    ['tags', (m.tags ?? []).join(', ')],
    ['runtime', `${m.runtime.image} ${JSON.stringify(m.runtime.command)}`],
    ['digest', d.digest],
    ['source', describeSource(d.source)],
    ['may run', d.canRun.allowed ? 'yes' : `no: ${d.canRun.reason ?? ''}`],
  ];
  for (const [k, v] of facts) if (v) out.line(`${c.dim(k.padEnd(8))} ${v}`);
  out.line();
  const rows = inputRows(d.schema);
  if (rows.length === 0) return out.line('no inputs');
  out.table(rows, [
    { title: 'NAME', cell: (r) => r.name },
    { title: 'TYPE', cell: (r) => r.type },
    { title: 'REQUIRED', cell: (r) => r.required },
    { title: 'DEFAULT', cell: (r) => r.default },
    { title: 'DESCRIPTION', cell: (r) => r.description },
  ]);
}
