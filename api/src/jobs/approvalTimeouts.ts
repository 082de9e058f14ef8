import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { QueueName, type RedisKeys } from '@shelf/contract';
import type { Logger } from '../logger.js';
import { startQueueConsumer } from '../queueConsumer.js';

/** What an approval timeout carries: the job to expire. */
export const ApprovalTimeoutData = z.object({ jobId: z.string().regex(/^[0-9a-f]{32}$/) });
export type ApprovalTimeoutData = z.infer<typeof ApprovalTimeoutData>;

/**
 * The deadline of each job awaiting approval, as one BullMQ delayed job whose id is the job's: it
 * is created once however often it is scheduled, survives restarts of the API, and BullMQ hands
 * it to one consumer among all API processes. Expiring is the records' atomic transition, so a
 * timeout that fires after a decision (or twice, after a crash mid-way) changes nothing.
 */
export class ApprovalTimeouts {
  private readonly queue: Queue<ApprovalTimeoutData, unknown, 'expire'>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly logger: Logger,
  ) {
    this.queue = new Queue<ApprovalTimeoutData, unknown, 'expire'>(QueueName.approvalTimeout, { connection: redis, prefix: keys.bullPrefix });
    this.queue.on('error', (err) => logger.warn({ err: err.message }, 'approval timeout queue problem'));
  }

  /** Fires at `deadline` (at once if it has passed); a no-op when this job's timeout is already waiting. */
  async schedule(jobId: string, deadline: string, now = Date.now()): Promise<void> {
    await this.queue.add(
      'expire',
      { jobId },
      {
        jobId,
        delay: Math.max(0, Date.parse(deadline) - now),
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        // Gone once done either way, so that scheduling again at start-up (see main) can heal a lost one.
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /** Drops a timeout that can no longer matter (the job was decided); if that fails it fires and changes nothing. */
  async forget(jobId: string): Promise<void> {
    await this.queue.remove(jobId).catch((err: Error) => this.logger.debug({ jobId, err: err.message }, 'could not drop an approval timeout'));
  }

  /** Consumes due timeouts in this process with `expire`; resolves to the function that stops it. */
  startConsumer(expire: (jobId: string) => Promise<void>): Promise<() => Promise<void>> {
    return startQueueConsumer(this.redis, this.logger, { queue: QueueName.approvalTimeout, bullPrefix: this.keys.bullPrefix, data: ApprovalTimeoutData, what: 'approval timeout' }, (data) => expire(data.jobId));
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
