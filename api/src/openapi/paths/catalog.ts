import { GrantChange } from '../../routes/itemGrants.js';
import { LocalImportBody } from '../../routes/catalog.js';
import { SyncBody } from '../../routes/git.js';
import { operations, redirectNote } from '../operation.js';
import { z } from '../zod.js';
import { CatalogItem, DescriptorAnswer, GitImportAnswer, ImportAnswer, ImportRecord, ItemGrants, ManifestJsonSchema, VersionInfo, WebhookIgnored } from '../schemas/catalog.js';
import { Digest, itemsOf } from '../schemas/common.js';

const ItemVersion = z.object({
  id: z.string().openapi({ description: 'The item id.' }),
  version: z.string().openapi({ description: 'A version, or `latest`.', example: 'latest' }),
});

const importErrors = {
  409: 'this version exists with different content: nothing changed',
  422: 'the item is not valid (every problem listed in `details.problems`) or its bundle breaks the safety rules (BUNDLE_INVALID)',
  507: 'storing it would pass a store quota (SHELF_MAX_STORE_BYTES, versions per item)',
} as const;

export const catalogOperations = operations([
  {
    method: 'get',
    path: '/api/catalog',
    access: 'viewer',
    tag: 'Catalog',
    summary: 'List the catalog',
    description: 'Every item with its latest version.',
    responses: { 200: { description: 'The items.', body: itemsOf(CatalogItem).openapi('CatalogList') } },
  },
  {
    method: 'get',
    path: '/api/catalog/:id/versions',
    access: 'viewer',
    tag: 'Catalog',
    summary: "List an item's versions",
    description: 'Highest semver first.',
    responses: { 200: { description: 'The versions.', body: itemsOf(VersionInfo).openapi('VersionList') } },
    errors: { 404: 'no such item' },
  },
  {
    method: 'get',
    path: '/api/catalog/:id/:version/descriptor',
    access: 'viewer',
    tag: 'Catalog',
    summary: 'Read a version',
    description: 'Everything the form and the worker need: manifest, input schema, uiSchema, README, digest, source, and whether the caller may run it.',
    params: ItemVersion,
    responses: { 200: { description: 'The descriptor.', body: DescriptorAnswer } },
    errors: { 404: 'no such item or version' },
  },
  {
    method: 'get',
    path: '/api/catalog/:id/:version/validator.js',
    access: 'viewer',
    tag: 'Catalog',
    summary: "A version's precompiled form validator",
    description:
      "An ES module whose default export is what `@rjsf/validator-ajv8`'s `createPrecompiledValidator` takes, so the page's CSP needs no `'unsafe-eval'`. Immutable, with a digest-based ETag; `latest` redirects to the version it names.",
    params: ItemVersion,
    responses: {
      200: {
        description: 'The module (`Cache-Control: private, max-age=31536000, immutable`).',
        body: { contentType: 'text/javascript', schema: { type: 'string' } },
        headers: { ETag: { description: 'Digest-based; send it back in `If-None-Match`.', schema: { type: 'string' } } },
      },
      302: { description: '`latest`: the module of the version it names (`Cache-Control: no-store`).', body: redirectNote, headers: { Location: { description: "The named version's module.", schema: { type: 'string' } } } },
      304: { description: 'Not modified (`If-None-Match` matched).' },
    },
    errors: { 404: 'no such item or version' },
  },
  {
    method: 'get',
    path: '/api/bundles/:digest',
    access: 'viewer',
    tag: 'Catalog',
    summary: 'Download a bundle',
    description: 'The `.tar.gz` a version pins; its sha256 is the digest (verify it). SHELF_WORKER_TOKEN may call this and nothing else.',
    params: z.object({ digest: Digest }),
    responses: {
      200: {
        description: 'The bundle (`Cache-Control: public, max-age=31536000, immutable`).',
        body: { contentType: 'application/gzip', schema: { type: 'string', contentMediaType: 'application/gzip' } },
        headers: { ETag: { description: 'The digest, quoted.', schema: { type: 'string' } } },
      },
    },
    errors: { 400: 'the digest is not 64 lowercase hex characters', 404: 'no bundle with that digest' },
  },
  {
    method: 'post',
    path: '/api/catalog/local/import',
    access: 'publisher',
    tag: 'Imports',
    summary: 'Import an item folder from the server',
    description: "The path is absolute or relative to the server's working directory; its real path must lie inside one of `SHELF_LOCAL_ROOTS`.",
    body: LocalImportBody.meta({ id: 'LocalImport' }),
    responses: {
      200: { description: 'The same content was there already: `unchanged`.', body: ImportAnswer },
      201: { description: 'A new version: `created`.', body: ImportAnswer },
    },
    errors: { ...importErrors, 403: 'the path lies outside SHELF_LOCAL_ROOTS', 404: 'the path lies inside a root but does not exist' },
  },
  {
    method: 'post',
    path: '/api/catalog/bundle/upload',
    access: 'publisher',
    tag: 'Imports',
    summary: 'Upload a bundle',
    description: 'A `.tar.gz` with the item at its root or in one top folder, in the multipart field `bundle`.',
    body: {
      contentType: 'multipart/form-data',
      schema: {
        type: 'object',
        required: ['bundle'],
        properties: { bundle: { type: 'string', contentMediaType: 'application/gzip', description: 'The .tar.gz file.' } },
      },
      encoding: { bundle: { contentType: 'application/gzip, application/x-gzip, application/octet-stream' } },
    },
    responses: {
      200: { description: 'The same content was there already: `unchanged`.', body: ImportAnswer },
      201: { description: 'A new version: `created`.', body: ImportAnswer },
    },
    errors: { ...importErrors, 400: 'not a multipart upload, or the field `bundle` is missing', 413: 'the file is larger than SHELF_MAX_BUNDLE_BYTES (refused while streaming)' },
  },
  {
    method: 'post',
    path: '/api/catalog/git/webhook',
    access: 'public',
    tag: 'Imports',
    summary: 'Receive a Git tag push',
    description:
      'GitHub, GitLab and Gitea/Forgejo deliveries. The signature is the identity (`X-Hub-Signature-256`, `X-Gitea-Signature`/`X-Forgejo-Signature` or `X-Gitlab-Token`, from SHELF_WEBHOOK_SECRET); a tag `<item-id>@<semver>` queues an import. A redelivery answers the same `importId` with `duplicate: true`.',
    body: { contentType: 'application/json', schema: { type: 'object', description: "The provider's push event, signed as received." } },
    responses: {
      200: { description: 'Another event (branch push, tag deletion, ping): nothing imported.', body: WebhookIgnored },
      202: { description: 'The import is queued (or was, for a redelivery).', body: GitImportAnswer },
    },
    errors: { 400: 'not a delivery of a known provider, or not valid JSON', 401: 'a bad or missing signature: nothing is queued', 403: 'the repository URL is not allowed (see SHELF_GIT_ALLOW)', 413: 'the delivery is over 25 MB' },
  },
  {
    method: 'post',
    path: '/api/catalog/git/sync',
    access: 'publisher',
    tag: 'Imports',
    summary: 'Import from a Git repository',
    description: 'Queues an import of that tag, or of every `<id>@<semver>` tag when `ref` is left out.',
    body: SyncBody.meta({ id: 'GitSync' }),
    responses: { 202: { description: 'Queued.', body: GitImportAnswer } },
    errors: { 403: 'the repository URL is not allowed (see SHELF_GIT_ALLOW)' },
  },
  {
    method: 'get',
    path: '/api/catalog/imports',
    access: 'viewer',
    tag: 'Imports',
    summary: 'List import attempts',
    description: 'Every attempt of any source, newest first (the last 5,000).',
    responses: { 200: { description: 'The attempts.', body: itemsOf(ImportRecord).openapi('ImportList') } },
  },
  {
    method: 'get',
    path: '/api/catalog/imports/:importId',
    access: 'viewer',
    tag: 'Imports',
    summary: 'Read an import attempt',
    description: "A refusal's reason is in its result's `error`.",
    responses: { 200: { description: 'The attempt.', body: ImportRecord } },
    errors: { 404: 'no such import' },
  },
  {
    method: 'get',
    path: '/api/schemas/manifest.json',
    access: 'viewer',
    tag: 'Catalog',
    summary: "The manifest's JSON Schema",
    description: 'For editor completion in `manifest.yaml`.',
    responses: { 200: { description: 'The schema.', body: { contentType: 'application/schema+json', schema: ManifestJsonSchema } } },
  },
  {
    method: 'get',
    path: '/api/catalog/:id/grants',
    access: 'viewer',
    tag: 'Catalog',
    summary: 'What an admin granted an item id',
    responses: { 200: { description: 'The grants.', body: ItemGrants } },
    errors: { 400: 'not an item id' },
  },
  {
    method: 'put',
    path: '/api/catalog/:id/grants/:name',
    access: 'admin',
    tag: 'Catalog',
    summary: 'Grant or revoke',
    description: 'May come before the id’s first publish. Audited as `item.grant`.',
    params: z.object({ id: z.string(), name: z.enum(['egress']) }),
    body: GrantChange.meta({ id: 'GrantChange' }),
    responses: { 200: { description: 'The grants now.', body: ItemGrants } },
    errors: { 400: 'not an item id', 404: 'no such grant' },
  },
]);
