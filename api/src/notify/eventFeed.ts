import type { Redis } from 'ioredis';
import type { RedisKeys, VersionRecord } from '@shelf/contract';
import type { Publications } from '../imports/publications.js';
import type { Logger } from '../logger.js';
import { jobEventOf, parseJobSummary, publishedItemOf } from './notifyEvents.js';
import type { NotifyQueue } from './notifyQueue.js';

export interface EventFeedDeps {
  redis: Redis;
  keys: RedisKeys;
  queue: NotifyQueue;
  logger: Logger;
  publications?: Publications;
  /** How long a job event waits before it fans out (see below). */
  jobEventDelayMs: number;
}

/**
 * Turns what happens into `event` jobs on the notify queue. Job state changes come from the job
 * records' channel, which every API process hears: each adds the same event under the same
 * queue job id, so it is queued once however many processes run. Publications come from this
 * process's imports. Only the job events channel is subscribed, not the log channels that
 * `followJobEvents` also follows: notifications never need log lines.
 * Resolves to the function that stops it.
 */
export async function startEventFeed(deps: EventFeedDeps): Promise<() => Promise<void>> {
  const fail = (err: Error) => deps.logger.warn({ err: err.message }, 'could not queue a notification');
  const subscriber = deps.redis.duplicate();
  subscriber.on('error', (err) => deps.logger.warn({ err: err.message }, 'notify subscriber problem'));
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== deps.keys.jobEventsChannel) return;
    const job = parseJobSummary(message);
    const event = job && jobEventOf(job);
    if (!job || !event) return;
    const at = job.finishedAt ?? new Date().toISOString();
    // A job's callbackUrl is stored just after the job (its id comes from creating it): the short
    // wait lets the request that submitted it register the callback before the first event fans out.
    deps.queue.addEvent({ event, subject: job.id, at, job }, deps.jobEventDelayMs).catch(fail);
  });
  await subscriber.subscribe(deps.keys.jobEventsChannel);

  const onPublished = (record: VersionRecord) => {
    deps.queue.addEvent({ event: 'item.published', subject: `${record.id}@${record.version}`, at: record.createdAt, item: publishedItemOf(record) }).catch(fail);
  };
  deps.publications?.on('published', onPublished);
  return async () => {
    deps.publications?.off('published', onPublished);
    await subscriber.quit().catch(() => subscriber.disconnect());
  };
}
