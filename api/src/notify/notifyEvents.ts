import type { JobSummary, NotifyEvent, PublishedItem, VersionRecord } from '@shelf/contract';

/** The event a job's new state is, if any: running and progress changes are none. */
export function jobEventOf(job: JobSummary): NotifyEvent | null {
  switch (job.state as string) {
    case 'AWAITING_APPROVAL':
      return 'job.awaiting_approval';
    // A job reaches QUEUED with an `approval` only by being approved: such jobs start
    // AWAITING_APPROVAL and the policy stays frozen in every later summary. So the summary
    // alone tells, in whichever process receives it, with nothing to remember in between.
    case 'QUEUED':
      return job.approval ? 'job.approved' : null;
    case 'REJECTED':
      return 'job.rejected';
    case 'EXPIRED':
      return 'job.expired';
    case 'SUCCEEDED':
      return 'job.succeeded';
    case 'FAILED':
      return 'job.failed';
    case 'CANCELLED':
      return 'job.cancelled';
    default:
      return null;
  }
}

/** What `item.published` tells of a new version: no path, URL or manifest body. */
export function publishedItemOf(record: VersionRecord): PublishedItem {
  return {
    id: record.id,
    name: record.manifest.name,
    version: record.version,
    digest: record.digest,
    source: record.source.kind,
    publishedBy: record.source.importedBy,
    createdAt: record.createdAt,
  };
}

/** A job event as published on the channel, if it looks like a summary. */
export function parseJobSummary(message: string): JobSummary | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  const job = value as Partial<JobSummary> | null;
  return typeof job?.id === 'string' && typeof job.state === 'string' && typeof job.itemId === 'string' ? (job as JobSummary) : undefined;
}
