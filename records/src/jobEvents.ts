import type { Redis } from 'ioredis';
import type { RedisKeys } from '@shelf/contract';

/** What the job scripts publish, as it arrives: the receiver parses and checks it. */
export interface JobEventHandlers {
  /** A JSON JobSummary: a job was created or its state or progress changed. */
  job(summaryJson: string): void;
  /** A JSON LogLine[]: a batch of one job's log lines, as appended. */
  log(jobId: string, linesJson: string): void;
}

/**
 * Follows every job's events on `subscriber`, a connection of its own (a subscribed connection
 * can do nothing else); ioredis subscribes again after a reconnect.
 */
export async function followJobEvents(subscriber: Redis, keys: RedisKeys, on: JobEventHandlers): Promise<void> {
  const logChannelPrefix = keys.jobLogChannel('');
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === keys.jobEventsChannel) on.job(message);
  });
  subscriber.on('pmessage', (pattern: string, channel: string, message: string) => {
    if (pattern === keys.jobLogPattern) on.log(channel.slice(logChannelPrefix.length), message);
  });
  await subscriber.subscribe(keys.jobEventsChannel);
  await subscriber.psubscribe(keys.jobLogPattern);
}

/** Calls `onKill` with each job id the API asks workers to stop (see JobRecords.requestKill). */
export async function followKillRequests(subscriber: Redis, keys: RedisKeys, onKill: (jobId: string) => void): Promise<void> {
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === keys.cancelChannel) onKill(message.trim());
  });
  await subscriber.subscribe(keys.cancelChannel);
}
