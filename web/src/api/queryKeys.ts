import type { AuditQuery, JobsQuery } from './client';

/** Every TanStack Query key of the app. Prefixes nest, so invalidating `catalog()` refreshes versions and descriptors too. */
export const queryKeys = {
  /** Public: what the login page offers. */
  authConfig: () => ['auth', 'config'] as const,
  me: () => ['me'] as const,
  tokens: () => ['tokens'] as const,
  users: () => ['users'] as const,
  webhooks: () => ['webhooks'] as const,
  deliveries: (webhookId: string) => ['webhooks', webhookId, 'deliveries'] as const,
  /** Named secrets: names, descriptions, items; never a value. */
  secrets: () => ['secrets'] as const,
  audit: (query: AuditQuery) => ['audit', query] as const,
  /** The worker fleet, as its heartbeats last said. */
  workers: () => ['workers'] as const,

  catalog: () => ['catalog'] as const,
  versions: (id: string) => ['catalog', id, 'versions'] as const,
  descriptor: (id: string, version: string) => ['catalog', id, 'descriptor', version] as const,
  /** A concrete version's validator: it never changes. */
  validator: (id: string, version: string) => ['catalog', id, 'validator', version] as const,

  imports: () => ['imports'] as const,
  importRecord: (importId: string) => ['imports', importId] as const,

  jobs: () => ['jobs'] as const,
  jobLists: () => ['jobs', 'list'] as const,
  jobList: (query: JobsQuery) => ['jobs', 'list', query] as const,
  job: (id: string) => ['jobs', 'detail', id] as const,
  /** The last stderr lines of a finished job's log: they never change. */
  jobStderrTail: (id: string) => ['jobs', 'detail', id, 'stderr-tail'] as const,
  /** Under `jobs`, so a reconnect's refetch of job queries refreshes the inbox too. */
  approvals: () => ['jobs', 'approvals'] as const,

  /** Every schedule query: a schedule action invalidates them all. */
  schedules: () => ['schedules'] as const,
  scheduleList: () => ['schedules', 'list'] as const,
  schedule: (id: string) => ['schedules', 'detail', id] as const,
  scheduleRuns: (id: string) => ['schedules', 'detail', id, 'runs'] as const,
  /** An item's presets (under `catalog`, with its versions). */
  presets: (itemId: string) => ['catalog', itemId, 'presets'] as const,
  /** The run form's JSON editor: a chunk loaded when the JSON tab first opens. */
  jsonEditor: () => ['modules', 'jsonEditor'] as const,
};
