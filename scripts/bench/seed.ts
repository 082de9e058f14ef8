import { createHash, randomBytes } from 'node:crypto';
import { JobState, type CatalogItem, type RedisKeys, type VersionRecord } from '@shelf/contract';
import { newCatalogGeneration } from '@shelf/records';
import { writeJobs, type JobHash } from '@shelf/records/layout';
import type { Redis } from 'ioredis';

/** Item names are built from these, so a search word matches one item in ten. */
const WORDS = ['Provision Database', 'Rotate Certificate', 'Backup Volume', 'Deploy Service', 'Create Bucket', 'Scale Cluster', 'Purge Cache', 'Renew Lease', 'Sync Mirror', 'Audit Access'];
/** What the jobs listing row searches for (matches the "Backup Volume" items). */
export const SEARCH_WORD = 'backup';

const pad = (n: number) => String(n).padStart(4, '0');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Writes `count` catalog items straight into Redis, in the registry's layout (a versions hash
 * per item and the catalog hash, see api/src/registry/registry.ts) — 1,000 imports through
 * HTTP would measure the import path, not the listing. Returns the item ids.
 */
export async function seedCatalog(redis: Redis, keys: RedisKeys, count: number): Promise<string[]> {
  const ids: string[] = [];
  const createdAt = new Date().toISOString();
  const pipeline = redis.pipeline();
  for (let i = 0; i < count; i++) {
    const id = `seeded-${pad(i)}`;
    const name = `${WORDS[i % WORDS.length]} ${pad(i)}`;
    const manifest = {
      id,
      name,
      version: '1.0.0',
      description: `${name}: seeded by the benchmark so the catalog has a realistic size.`,
      owner: `team-${i % 7}`,
      tags: ['bench', WORDS[i % WORDS.length]!.split(' ')[0]!.toLowerCase()],
      runtime: { image: 'shelf/runtime-shell:1', command: ['bash', 'main.sh'] },
      network: 'none' as const,
    };
    const record: VersionRecord = {
      id,
      version: '1.0.0',
      manifest,
      schema: { type: 'object', properties: { target: { type: 'string', title: 'Target' } } },
      uiSchema: {},
      readme: '',
      digest: sha(`bundle ${id}`),
      source: { kind: 'local', path: `/bench/${id}`, importedAt: createdAt, importedBy: 'bench' },
      contentHash: sha(`content ${id}`),
      size: 1024,
      createdAt,
    };
    const entry: CatalogItem = { id, name, description: manifest.description, tags: manifest.tags, owner: manifest.owner, latestVersion: '1.0.0', versionCount: 1 };
    pipeline.hset(keys.versions(id), '1.0.0', JSON.stringify(record));
    pipeline.hset(keys.catalog, id, JSON.stringify(entry));
    ids.push(id);
  }
  // As a publish does: every API process's cached listing is stale now.
  pipeline.set(keys.catalogGeneration, newCatalogGeneration());
  await pipeline.exec();
  return ids;
}

/**
 * One job in ten FAILED, one in fifty CANCELLED, the rest SUCCEEDED: a dashboard's usual mix.
 * Item k's r-th job is FAILED when (r + k) is a multiple of 10, so every item with ten jobs
 * or more has failures — the search row finds some at any size — without states following items.
 */
function stateOf(round: number, item: number): JobState {
  if ((round + item) % 10 === 0) return JobState.FAILED;
  if ((round + item) % 50 === 7) return JobState.CANCELLED;
  return JobState.SUCCEEDED;
}

/**
 * Writes `count` finished jobs of `itemIds` straight into Redis, in the job records' layout (a
 * hash per job and its indexes, through `@shelf/records/layout`), one creation every 5 s back
 * from now (inside any retention).
 */
export async function seedJobs(redis: Redis, keys: RedisKeys, itemIds: string[], count: number): Promise<void> {
  const batch = 2000;
  const end = Date.now() - 60_000;
  for (let start = 0; start < count; start += batch) {
    const jobs: JobHash[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      let id = randomBytes(16).toString('hex');
      while (/^\d+$/.test(id)) id = randomBytes(16).toString('hex');
      const itemId = itemIds[i % itemIds.length]!;
      const state = stateOf(Math.floor(i / itemIds.length), i % itemIds.length);
      const createdMs = end - (count - i) * 5000;
      const createdAt = new Date(createdMs).toISOString();
      const finishedAt = new Date(createdMs + 1500).toISOString();
      jobs.push({
        id,
        itemId,
        itemName: `${WORDS[Number(itemId.slice(-4)) % WORDS.length]} ${itemId.slice(-4)}`,
        version: '1.0.0',
        digest: sha(`bundle ${itemId}`),
        state,
        progress: JSON.stringify({ percent: 100, message: '' }),
        createdAt,
        startedAt: new Date(createdMs + 200).toISOString(),
        finishedAt,
        error: state === JobState.FAILED ? JSON.stringify({ code: 'EXIT', message: 'the script exited with code 1' }) : state === JobState.CANCELLED ? JSON.stringify({ code: 'CANCELLED', message: 'cancelled by a user' }) : '',
        retryOf: '',
        inputs: JSON.stringify({ target: `db-${i % 97}` }),
        exitCode: state === JobState.FAILED ? '1' : state === JobState.SUCCEEDED ? '0' : '',
        outputs: state === JobState.SUCCEEDED ? JSON.stringify({ ok: true }) : '',
        limits: JSON.stringify({ memoryBytes: 268435456, cpus: 0.5, pids: 128, timeoutSeconds: 300 }),
        createdMs: String(createdMs),
        submittedById: 'admin-token',
        submittedByName: 'admin-token',
      });
    }
    await writeJobs(redis, keys, jobs);
  }
}
