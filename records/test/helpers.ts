import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { redisKeys, type CatalogItem, type JobSummary, type LogLine, type RedisKeys } from '@shelf/contract';
import { followJobEvents, JobRecords, newCatalogGeneration, RegistryReader, RunRecorder, type NewJob } from '../src/index.js';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const limits = { memoryBytes: 1 << 20, cpus: 1, pids: 16, timeoutSeconds: 60 };

/** One test's own Redis prefix, the API's and the worker's side of its job records, and every event published. */
export interface RecordsWorld {
  redis: Redis;
  keys: RedisKeys;
  records: JobRecords;
  recorder: RunRecorder;
  /** Every job event and log batch published under this prefix, in order. */
  events: JobSummary[];
  logBatches: { jobId: string; lines: LogLine[]; raw: string }[];
  rawEvents: string[];
  newJob(fields?: Partial<NewJob>, now?: Date): Promise<string>;
  /** Stores catalog entries as a publish does (new generation), so search sees them. */
  catalog(items: { id: string; name: string }[]): Promise<void>;
  /** Waits until `done` holds for the events seen so far. */
  until(done: () => boolean, what: string): Promise<void>;
  close(): Promise<void>;
}

export async function createWorld(): Promise<RecordsWorld> {
  const redis = new Redis(redisUrl);
  const subscriber = new Redis(redisUrl);
  const keys = redisKeys(`test-records-${randomBytes(5).toString('hex')}`);
  const events: JobSummary[] = [];
  const rawEvents: string[] = [];
  const logBatches: RecordsWorld['logBatches'] = [];
  await followJobEvents(subscriber, keys, {
    job: (raw) => {
      rawEvents.push(raw);
      events.push(JSON.parse(raw) as JobSummary);
    },
    log: (jobId, raw) => logBatches.push({ jobId, lines: JSON.parse(raw) as LogLine[], raw }),
  });
  const records = new JobRecords(redis, keys, new RegistryReader(redis, keys));
  return {
    redis,
    keys,
    records,
    recorder: new RunRecorder(redis, keys),
    events,
    rawEvents,
    logBatches,
    async newJob(fields = {}, now) {
      const job: NewJob = { itemId: 'item-a', itemName: 'Item A', version: '1.0.0', digest: 'd'.repeat(64), inputs: {}, limits, submittedBy: { id: 'u1', username: 'ada' }, ...fields };
      return (await records.create(job, now)).id;
    },
    async catalog(items) {
      const pipeline = redis.pipeline();
      for (const { id, name } of items) {
        const entry: CatalogItem = { id, name, description: '', tags: [], owner: '', latestVersion: '1.0.0', versionCount: 1 };
        pipeline.hset(keys.catalog, id, JSON.stringify(entry));
      }
      await pipeline.set(keys.catalogGeneration, newCatalogGeneration()).exec();
    },
    async until(done, what) {
      const deadline = Date.now() + 5000;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(10);
      }
    },
    async close() {
      subscriber.disconnect();
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.prefix}:*`, 'COUNT', 10_000);
        cursor = next;
        if (found.length) await redis.unlink(...found);
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}

/** The events of one job seen so far. */
export const eventsOf = (world: RecordsWorld, id: string) => world.events.filter((e) => e.id === id);
