import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { Logger } from './logger.js';

export interface QueueConsumerOptions<T> {
  queue: string;
  bullPrefix: string;
  /** What each job's data must be; anything else fails the job for good. */
  data: z.ZodType<T>;
  /** For log lines: "approval timeout", "schedule tick". */
  what: string;
  concurrency?: number;
}

/**
 * Consumes one of the API's own queues in this process, with a connection of its own (BullMQ's
 * blocking reads need one); resolves, once ready, to the function that stops it.
 */
export async function startQueueConsumer<T>(redis: Redis, logger: Logger, opts: QueueConsumerOptions<T>, handle: (data: T) => Promise<void>): Promise<() => Promise<void>> {
  const connection = redis.duplicate({ maxRetriesPerRequest: null });
  const worker = new Worker<unknown>(
    opts.queue,
    async (job) => {
      const parsed = opts.data.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid ${opts.what}: ${parsed.error.message}`);
      await handle(parsed.data);
    },
    { connection, prefix: opts.bullPrefix, concurrency: opts.concurrency ?? 4 },
  );
  worker.on('error', (err) => logger.warn({ err: err.message }, `${opts.what} consumer problem`));
  worker.on('failed', (job, err) => logger.warn({ job: job?.id, err: err.message }, `an ${opts.what} failed`));
  await worker.waitUntilReady();
  return async () => {
    await worker.close();
    await connection.quit();
  };
}
