import type { Redis } from 'ioredis';
import { labelsOfRunQueue, QueueName, runQueueName, type RedisKeys } from '@shelf/contract';

/** A run queue and the labels its jobs ask for. */
export interface RunQueueRef {
  name: string;
  labels: string[];
}

/**
 * Which run queues exist (contract/workerLabels.ts): one per label set items asked for, recorded
 * by the API before it queues the first job on it, so a worker that starts later — or one told
 * on the channel — consumes it. The plain queue always exists. Nothing is ever removed: a set
 * costs one member, and a queue forgotten while a job waits on it would strand the job.
 */
export class RunQueues {
  private readonly known = new Set<string>([QueueName.run]);

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** The queue of jobs asking for `labels`, recorded (and announced, the first time) before the caller uses it. */
  async register(labels: readonly string[] | undefined): Promise<string> {
    const name = runQueueName(labels);
    if (this.known.has(name)) return name;
    const added = await this.redis.sadd(this.keys.runQueues, name);
    if (added === 1) await this.redis.publish(this.keys.runQueuesChannel, name);
    this.known.add(name);
    return name;
  }

  /** Every run queue, the plain one first. */
  async list(): Promise<RunQueueRef[]> {
    const names = new Set([QueueName.run, ...(await this.redis.smembers(this.keys.runQueues)).sort()]);
    return [...names].flatMap((name) => {
      const labels = labelsOfRunQueue(name);
      return labels ? [{ name, labels }] : [];
    });
  }

  /** Calls `onQueue` with each run queue recorded from now on. */
  async follow(subscriber: Redis, onQueue: (queue: RunQueueRef) => void): Promise<void> {
    subscriber.on('message', (channel: string, name: string) => {
      if (channel !== this.keys.runQueuesChannel) return;
      const labels = labelsOfRunQueue(name);
      if (labels) onQueue({ name, labels });
    });
    await subscriber.subscribe(this.keys.runQueuesChannel);
  }
}
