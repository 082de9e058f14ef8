import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { QueueName, type RedisKeys } from '@shelf/contract';
import type { Logger } from '../logger.js';
import { startQueueConsumer } from '../queueConsumer.js';

const TickData = z.object({ scheduleId: z.string().regex(/^[0-9a-f]{24}$/) });
type TickData = z.infer<typeof TickData>;

/**
 * The timetable of every enabled schedule, as one BullMQ job scheduler each (id = the schedule's):
 * BullMQ keeps exactly one next job per scheduler in Redis and hands it to one consumer among all
 * API processes, so a tick runs once however many APIs run, and survives restarts of any of them.
 */
export class ScheduleTicks {
  private readonly queue: Queue<TickData, unknown, string>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly logger: Logger,
  ) {
    this.queue = new Queue<TickData, unknown, string>(QueueName.schedule, { connection: redis, prefix: keys.bullPrefix });
    this.queue.on('error', (err) => logger.warn({ err: err.message }, 'schedule queue problem'));
  }

  /** Creates or replaces the schedule's timetable. */
  async set(scheduleId: string, cron: string, timezone: string): Promise<void> {
    await this.queue.upsertJobScheduler(
      scheduleId,
      { pattern: cron, tz: timezone },
      { name: 'tick', data: { scheduleId }, opts: { removeOnComplete: true, removeOnFail: 100, attempts: 1 } },
    );
  }

  async clear(scheduleId: string): Promise<void> {
    await this.queue.removeJobScheduler(scheduleId);
  }

  /** The schedule ids that have a timetable. */
  async ids(): Promise<string[]> {
    const all = await this.queue.getJobSchedulers(0, -1);
    return all.map((s) => s.key);
  }

  /** Consumes ticks in this process; resolves to the function that stops it. */
  startConsumer(tick: (scheduleId: string) => Promise<void>): Promise<() => Promise<void>> {
    return startQueueConsumer(this.redis, this.logger, { queue: QueueName.schedule, bullPrefix: this.keys.bullPrefix, data: TickData, what: 'schedule tick' }, (data) => tick(data.scheduleId));
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
