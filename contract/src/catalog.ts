import type { Manifest } from './manifest.js';

/** Where a version came from. */
export type Source =
  | { kind: 'local'; path: string; importedAt: string; importedBy: string }
  | { kind: 'upload'; fileName: string; importedAt: string; importedBy: string }
  | { kind: 'git'; url: string; commit: string; tag: string; path: string; importedAt: string; importedBy: string };

export type SourceKind = Source['kind'];

/** One row of `GET /api/catalog`. */
export interface CatalogItem {
  id: string;
  name: string;
  description: string;
  tags: string[];
  owner: string;
  latestVersion: string;
  versionCount: number;
}

/** One row of `GET /api/catalog/:id/versions`. */
export interface VersionInfo {
  version: string;
  digest: string;
  source: Source;
  createdAt: string;
}

/** `GET /api/catalog/:id/:version/descriptor`: everything the form and the worker need. */
export interface Descriptor {
  manifest: Manifest;
  schema: Record<string, unknown>;
  uiSchema: Record<string, unknown>;
  readme: string;
  digest: string;
  source: Source;
}

/** `GET /api/catalog/:id/:version/descriptor` as one caller sees it: whether they may run it, and why not. */
export interface DescriptorAnswer extends Descriptor {
  canRun: { allowed: boolean; reason?: string };
}

/** A stored version: its descriptor plus identity and bookkeeping. */
export interface VersionRecord extends Descriptor {
  id: string;
  version: string;
  /** sha256 over the item's files and modes, independent of archive timestamps and compression. */
  contentHash: string;
  size: number;
  createdAt: string;
}

export type ImportStatus = 'created' | 'unchanged';

/** What an import of one item answers. */
export interface ImportResult {
  id: string;
  version: string;
  digest: string;
  status: ImportStatus;
}

export type ImportState = 'queued' | 'running' | 'done' | 'failed' | 'ignored';

/** One item's outcome inside an import attempt. */
export interface ImportItemResult {
  id: string;
  version: string;
  status: ImportStatus | 'refused' | 'failed';
  digest?: string;
  error?: string;
}

/** Where an import attempt came from, as shown in the imports list (no credentials). */
export type ImportSource =
  | { kind: 'local'; path: string }
  | { kind: 'upload'; fileName: string }
  | { kind: 'git'; url: string; ref?: string; trigger: 'webhook' | 'sync'; provider?: string; deliveryId?: string };

/** `GET /api/catalog/imports/:importId`. */
export interface ImportRecord {
  importId: string;
  source: ImportSource;
  state: ImportState;
  results: ImportItemResult[];
  error?: string;
  createdAt: string;
  updatedAt: string;
}
