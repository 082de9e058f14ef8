import type { Redis } from 'ioredis';
import { activeStates, type LogLine, type RedisKeys } from '@shelf/contract';
import type { JobHash } from './jobLayout.js';
import { layoutVersion } from './jobStorage.js';

// `@shelf/records/layout`: raw writes in the job layout, for tests and the benchmark only —
// seeding 100,000 jobs in a few pipelines, or leaving the store as no command ever would (a line
// stored but never published). Production code goes through JobRecords and RunRecorder; eslint
// refuses this entry there.

export type { JobHash } from './jobLayout.js';

/** Stores jobs new to the store as they are (hash, every index and count), without publishing anything. */
export async function writeJobs(redis: Redis, keys: RedisKeys, jobs: JobHash[]): Promise<void> {
  const pipeline = redis.pipeline();
  const indexes = new Map<string, (string | number)[]>();
  const index = (key: string, score: string | number, id: string) => {
    const members = indexes.get(key) ?? [];
    if (!indexes.has(key)) indexes.set(key, members);
    members.push(score, id);
  };
  for (const job of jobs) {
    pipeline.hset(keys.job(job.id), { ...job });
    index(keys.jobsAll, job.createdMs, job.id);
    index(keys.jobsByState(job.state), job.createdMs, job.id);
    index(keys.jobsByItem(job.itemId), job.createdMs, job.id);
    index(keys.jobsByItemState(job.itemId, job.state), job.createdMs, job.id);
    if (job.submittedById) index(keys.jobsByUser(job.submittedById), job.createdMs, job.id);
    if (job.submittedById && activeStates.includes(job.state)) index(keys.jobsActiveByUser(job.submittedById), job.createdMs, job.id);
    index(keys.jobIds, 0, job.id);
    pipeline.hset(keys.jobItems, job.id, job.itemId);
  }
  for (const [key, members] of indexes) pipeline.zadd(key, ...members);
  // The per-item-and-state counts, as the scripts keep them: these jobs are new to the store.
  const counts = new Map<string, Map<string, number>>();
  for (const job of jobs) {
    const ofState = counts.get(job.state) ?? new Map<string, number>();
    counts.set(job.state, ofState.set(job.itemId, (ofState.get(job.itemId) ?? 0) + 1));
  }
  for (const [state, ofState] of counts) for (const [itemId, n] of ofState) pipeline.hincrby(keys.jobCountsByItem(state), itemId, n);
  pipeline.set(keys.jobsLayoutVersion, layoutVersion);
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0];
}

/** Appends lines to a job's stored log without publishing them, as if the publish had been missed. */
export async function storeUnpublishedLogLines(redis: Redis, keys: RedisKeys, jobId: string, lines: LogLine[]): Promise<void> {
  await redis.rpush(keys.jobLog(jobId), ...lines.map((line) => JSON.stringify(line)));
}
