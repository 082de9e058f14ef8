import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { jobStates, type JobSummary, type LogLine, type RedisKeys } from '@shelf/contract';
import { followJobEvents } from '@shelf/records';
import type { Logger } from '../logger.js';

type JobEventMap = {
  /** A job's state or progress changed. */
  job: [job: JobSummary];
  /** A batch of log lines of one job, as appended (seq ascending). */
  log: [jobId: string, lines: LogLine[]];
};

/**
 * Every job event the job records publish (for workers and for this API), as one in-process
 * stream, checked before anyone sees it. It holds its own subscriber connection, since a
 * subscribed connection can do nothing else; ioredis re-subscribes after a reconnect, and
 * consumers heal gaps by their log seq numbers.
 */
export class JobEvents extends EventEmitter<JobEventMap> {
  private constructor(
    private readonly subscriber: Redis,
    private readonly logger: Logger,
  ) {
    super();
    // Many sockets and metrics listen; that is expected, not a leak.
    this.setMaxListeners(0);
  }

  static async start(redis: Redis, keys: RedisKeys, logger: Logger): Promise<JobEvents> {
    const subscriber = redis.duplicate();
    const events = new JobEvents(subscriber, logger);
    await followJobEvents(subscriber, keys, { job: (message) => events.onJob(message), log: (jobId, message) => events.onLog(jobId, message) });
    return events;
  }

  async close(): Promise<void> {
    this.removeAllListeners();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  private onJob(message: string): void {
    const job = parseJson(message) as JobSummary | undefined;
    if (typeof job?.id !== 'string' || !jobStates.includes(job.state)) {
      this.logger.warn({ message: message.slice(0, 200) }, 'ignored a malformed job event');
      return;
    }
    this.emit('job', job);
  }

  private onLog(jobId: string, message: string): void {
    const lines = parseJson(message);
    const valid = Array.isArray(lines) && lines.every((l: Partial<LogLine>) => Number.isInteger(l?.seq) && typeof l.line === 'string');
    if (!valid) {
      this.logger.warn({ jobId }, 'ignored a malformed log event');
      return;
    }
    const sorted = (lines as LogLine[]).slice().sort((a, b) => a.seq - b.seq);
    this.emit('log', jobId, sorted);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
