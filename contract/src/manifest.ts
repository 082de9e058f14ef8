import { approvalManifestSchema, type ApprovalPolicy } from './approval.js';
import { principalPattern } from './auth.js';
import { secretNamePattern } from './secrets.js';
import { maxWorkerLabels, workerLabelPattern } from './workerLabels.js';

/** The JSON Schema of `manifest.yaml` / `manifest.json`, served at `GET /api/schemas/manifest.json`. */
export const manifestSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://shelf.dev/schemas/manifest.json',
  title: 'Shelf catalog item manifest',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'runtime'],
  properties: {
    id: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9-]{1,62}$',
      description: 'Stable identifier: lowercase letters, digits and dashes, 2-63 characters.',
    },
    name: { type: 'string', minLength: 1, maxLength: 120, description: 'Display name.' },
    version: {
      type: 'string',
      maxLength: 128,
      description: 'Semantic version. For a Git import the tag decides, and a different value here is refused.',
    },
    description: { type: 'string', maxLength: 2000 },
    owner: { type: 'string', maxLength: 120, description: 'The team that owns the item.' },
    tags: {
      type: 'array',
      maxItems: 20,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$' },
    },
    runtime: {
      type: 'object',
      additionalProperties: false,
      required: ['image', 'command'],
      properties: {
        image: {
          type: 'string',
          minLength: 1,
          maxLength: 255,
          pattern: '^[A-Za-z0-9][A-Za-z0-9._/:@-]*$',
          description: 'A Shelf runtime image (shelf/runtime-shell:1, shelf/runtime-python:1, shelf/runtime-node:1) or any image the worker host has.',
        },
        command: {
          type: 'array',
          minItems: 1,
          maxItems: 64,
          items: { type: 'string', minLength: 1, maxLength: 4096 },
          description: 'Run with the bundle as working directory.',
        },
      },
    },
    timeout: {
      type: 'integer',
      minimum: 1,
      maximum: 86400,
      default: 300,
      description: 'Seconds; capped by the server maximum.',
    },
    resources: {
      type: 'object',
      additionalProperties: false,
      properties: {
        memory: {
          type: 'string',
          pattern: '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|K|M|G|k|m|g)?$',
          description: 'e.g. 256Mi; capped by the server maximum.',
        },
        cpus: { type: 'number', exclusiveMinimum: 0, maximum: 64 },
        pids: { type: 'integer', minimum: 8, maximum: 65536 },
      },
    },
    network: { type: 'string', enum: ['none', 'egress'], default: 'none' },
    access: {
      type: 'object',
      additionalProperties: false,
      description: 'Who may do what with this item.',
      properties: {
        run: {
          type: 'array',
          minItems: 1,
          maxItems: 100,
          uniqueItems: true,
          items: { type: 'string', pattern: principalPattern },
          description: 'Principals that may run it: role:<role>, group:<name> or user:<username>. Default [role:runner]; the runner role is needed in any case.',
        },
      },
    },
    approval: approvalManifestSchema,
    secrets: {
      type: 'array',
      maxItems: 20,
      uniqueItems: true,
      items: { type: 'string', pattern: secretNamePattern },
      description: 'Named secrets the job reads as files /run/secrets/NAME. An admin creates each one and names the items that may use it.',
    },
    runsOn: {
      type: 'array',
      maxItems: maxWorkerLabels,
      uniqueItems: true,
      items: { type: 'string', pattern: workerLabelPattern },
      description: 'Routing labels: only a worker whose SHELF_WORKER_LABELS include every one of them runs this item (e.g. [gpu]). Lowercase letters, digits, ".", "_" and "-".',
    },
  },
} as const;

/** A validated manifest. */
export interface Manifest {
  id: string;
  name: string;
  version?: string;
  description?: string;
  owner?: string;
  tags?: string[];
  runtime: { image: string; command: string[] };
  timeout?: number;
  resources?: { memory?: string; cpus?: number; pids?: number };
  network?: 'none' | 'egress';
  access?: { run?: string[] };
  approval?: ApprovalPolicy;
  secrets?: string[];
  /** Routing labels a worker must all have to run it (SPEC §11). */
  runsOn?: string[];
}

/** The file names Shelf looks for in an item folder. */
export const ItemFiles = {
  manifest: ['manifest.yaml', 'manifest.yml', 'manifest.json'],
  schema: 'schema.json',
  uiSchema: 'ui-schema.json',
  readme: 'README.md',
} as const;

/** Parses a Kubernetes-style quantity ("256Mi", "1G", "512") into bytes. */
export function parseMemory(quantity: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|K|M|G|k|m|g)?$/.exec(quantity);
  if (!m) throw new Error(`not a memory quantity: ${quantity}`);
  const unit: Record<string, number> = {
    Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, K: 1e3, k: 1e3, M: 1e6, m: 1e6, G: 1e9, g: 1e9,
  };
  return Math.floor(Number(m[1]) * (m[2] ? unit[m[2]]! : 1));
}
