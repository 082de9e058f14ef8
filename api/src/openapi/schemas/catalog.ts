import { manifestSchema } from '@shelf/contract';
import { z } from '../zod.js';
import { Actor, Digest, IsoTime } from './common.js';

/** The manifest component is the very JSON Schema imports validate with (contract's manifestSchema). */
export const manifestComponent = (() => {
  // A component lives in the document's own dialect (2020-12): the draft-07 `$schema` and the `$id` stay with /api/schemas/manifest.json.
  const { $schema: _dialect, $id: _id, ...schema } = manifestSchema;
  return schema;
})();
export const Manifest = z.record(z.string(), z.unknown()).openapi({ $ref: '#/components/schemas/Manifest' } as object);

export const Source = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('local'), path: z.string(), importedAt: IsoTime, importedBy: z.string() }),
    z.object({ kind: z.literal('upload'), fileName: z.string(), importedAt: IsoTime, importedBy: z.string() }),
    z.object({ kind: z.literal('git'), url: z.string(), commit: z.string(), tag: z.string(), path: z.string(), importedAt: IsoTime, importedBy: z.string() }),
  ])
  .openapi('Source', { description: 'Where a version came from.' });

export const CatalogItem = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    tags: z.array(z.string()),
    owner: z.string(),
    latestVersion: z.string(),
    versionCount: z.number().int(),
  })
  .openapi('CatalogItem');

export const VersionInfo = z.object({ version: z.string(), digest: Digest, source: Source, createdAt: IsoTime }).openapi('VersionInfo');

export const Verdict = z.object({ allowed: z.boolean(), reason: z.string().optional() });

export const DescriptorAnswer = z
  .object({
    manifest: Manifest,
    schema: z.record(z.string(), z.unknown()).openapi({ description: "The item's input JSON Schema." }),
    uiSchema: z.record(z.string(), z.unknown()).openapi({ description: 'The RJSF uiSchema ({} when the item has none).' }),
    readme: z.string(),
    digest: Digest,
    source: Source,
    canRun: Verdict.openapi({ description: 'Whether the caller may run this version, and why not.' }),
  })
  .openapi('Descriptor');

export const ImportAnswer = z
  .object({ id: z.string(), version: z.string(), digest: Digest, status: z.enum(['created', 'unchanged']), importId: z.string() })
  .openapi('ImportAnswer', { description: '201 when the version was created, 200 when the same content was there already.' });

export const ImportSource = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('local'), path: z.string() }),
    z.object({ kind: z.literal('upload'), fileName: z.string() }),
    z.object({
      kind: z.literal('git'),
      url: z.string(),
      ref: z.string().optional(),
      trigger: z.enum(['webhook', 'sync']),
      provider: z.string().optional(),
      deliveryId: z.string().optional(),
    }),
  ])
  .openapi('ImportSource');

export const ImportRecord = z
  .object({
    importId: z.string(),
    source: ImportSource,
    state: z.enum(['queued', 'running', 'done', 'failed', 'ignored']),
    results: z.array(
      z.object({
        id: z.string(),
        version: z.string(),
        status: z.enum(['created', 'unchanged', 'refused', 'failed']),
        digest: Digest.optional(),
        error: z.string().optional().openapi({ description: "A refusal's or failure's reason." }),
      }),
    ),
    error: z.string().optional(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi('ImportRecord');

export const GitImportAnswer = z
  .object({
    importId: z.string(),
    duplicate: z.literal(true).optional().openapi({ description: 'The delivery (or this tag at this commit) was seen before: no second import.' }),
    requeued: z.literal(true).optional().openapi({ description: '...but its import had failed, so it was queued again.' }),
    ignored: z.literal(true).optional().openapi({ description: 'The tag is not `<item-id>@<semver>`: recorded, nothing to import.' }),
    message: z.string().optional(),
  })
  .openapi('GitImportAnswer');

export const WebhookIgnored = z
  .object({ ok: z.literal(true), ignored: z.literal(true), message: z.string() })
  .openapi('WebhookIgnored', { description: 'A branch push, a tag deletion, a ping or another event: nothing is imported.' });

export const ItemGrants = z
  .object({
    id: z.string(),
    grants: z.object({ egress: z.object({ by: Actor, at: IsoTime }).optional() }),
  })
  .openapi('ItemGrants');

export const ManifestJsonSchema = z.record(z.string(), z.unknown()).openapi('ManifestJsonSchema', { description: "The manifest's JSON Schema (draft-07), for editors." });
