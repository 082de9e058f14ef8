import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { runQueueName, type RedisKeys, type RunJobData } from '@shelf/contract';
import { RunQueues, type RunQueueRef } from '@shelf/records';
import type { Logger } from '../logger.js';

/** BullMQ owns retries of infrastructure failures and the retention of its own records. */
const runJobOptions: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 60 * 60 },
  removeOnFail: { age: 7 * 24 * 60 * 60 },
};

type RunQueue = Queue<RunJobData, unknown, 'run'>;

/** A run queue's BullMQ counts (waiting, active, delayed…) with the labels its jobs ask for. */
export interface RunQueueCounts extends RunQueueRef {
  counts: Record<string, number>;
}

/**
 * The API's side of routing (contract/workerLabels.ts): a job goes on the BullMQ queue of the
 * labels its item asks for, recorded first so the workers covering them consume it. One BullMQ
 * queue per label set keeps BullMQ's own guarantees for each — FIFO order, locks, the stalled
 * check, retries — where one shared queue would need a worker to take a job it may not run and
 * hand it back. The queues share the API's Redis connection.
 */
export class RunQueueSet {
  private readonly queues = new Map<string, RunQueue>();
  readonly registry: RunQueues;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly logger: Logger,
  ) {
    this.registry = new RunQueues(redis, keys);
  }

  /** Queues a stored QUEUED job for a worker having every label in `runsOn`. */
  async add(data: RunJobData, runsOn: readonly string[]): Promise<void> {
    const name = await this.registry.register(runsOn);
    await this.queue(name).add('run', data, { ...runJobOptions, jobId: data.jobId });
  }

  /** Drops a job no worker holds yet; false when one does (BullMQ keeps a locked job). */
  async remove(jobId: string, runsOn: readonly string[]): Promise<boolean> {
    const name = await this.registry.register(runsOn);
    return (await this.queue(name).remove(jobId)) === 1;
  }

  /** The BullMQ job of a Shelf job on the queue of `runsOn`, while BullMQ keeps it. */
  getJob(jobId: string, runsOn: readonly string[] = []) {
    return this.queue(runQueueName(runsOn)).getJob(jobId);
  }

  /** Every run queue's BullMQ counts, for /metrics. */
  async counts(): Promise<RunQueueCounts[]> {
    const refs = await this.registry.list();
    return Promise.all(refs.map(async (ref) => ({ ...ref, counts: await this.queue(ref.name).getJobCounts() })));
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }

  private queue(name: string): RunQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue<RunJobData, unknown, 'run'>(name, { connection: this.redis, prefix: this.keys.bullPrefix });
      queue.on('error', (err) => this.logger.warn({ err: err.message, queue: name }, 'run queue problem'));
      this.queues.set(name, queue);
    }
    return queue;
  }
}
