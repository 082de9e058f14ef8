import type { JobDetailAnswer, JobSummary } from '@shelf/contract';
import type { QueryClient } from '@tanstack/react-query';
import type { JobsPage, JobsQuery } from './client';
import { queryKeys } from './queryKeys';

/** Whether a job belongs in a list with these filters (the server's rules: `q` is a case-insensitive substring of id, item id or name). */
export function jobMatches(job: JobSummary, query: JobsQuery): boolean {
  if (query.state && job.state !== query.state) return false;
  if (query.itemId && job.itemId !== query.itemId) return false;
  if (query.q) {
    const q = query.q.toLowerCase();
    if (![job.id, job.itemId, job.itemName].some((s) => s.toLowerCase().includes(q))) return false;
  }
  return true;
}

/**
 * A list page after a `job` event: a known row is replaced in place; a new job that matches the
 * filters goes on top of page 1. Returns `undefined` when the page cannot know (a new job on a later page).
 */
export function applyJobToPage(page: JobsPage, query: JobsQuery, job: JobSummary): JobsPage | undefined {
  const index = page.items.findIndex((row) => row.id === job.id);
  if (index >= 0) {
    const items = page.items.slice();
    items[index] = job;
    return { ...page, items };
  }
  if (!jobMatches(job, query)) return page;
  if (query.page !== 1) return undefined;
  return { ...page, items: [job, ...page.items].slice(0, page.pageSize), total: page.total + 1 };
}

/** Puts a job summary from the WebSocket into every cached view of it, without refetching lists. */
export function applyJobEvent(client: QueryClient, job: JobSummary): void {
  const detailKey = queryKeys.job(job.id);
  const detail = client.getQueryData<JobDetailAnswer>(detailKey);
  if (detail) {
    client.setQueryData<JobDetailAnswer>(detailKey, { ...detail, ...job });
    // Outputs and the exit code only come with the full record.
    if (detail.state !== job.state) void client.invalidateQueries({ queryKey: detailKey, exact: true });
  }

  const stale: JobsQuery[] = [];
  for (const [key, page] of client.getQueriesData<JobsPage>({ queryKey: queryKeys.jobLists() })) {
    if (!page) continue;
    const query = key[2] as JobsQuery;
    const next = applyJobToPage(page, query, job);
    if (next === undefined) stale.push(query);
    else if (next !== page) client.setQueryData(key, next);
  }
  for (const query of stale) {
    void client.invalidateQueries({ queryKey: queryKeys.jobList(query), exact: true, refetchType: 'none' });
  }
  applyToInbox(client, job);
}

/**
 * The approvals inbox after a `job` event: a job that left AWAITING_APPROVAL leaves it at once; a
 * new request, or another approver's decision, asks the server again, which alone knows whether
 * the job awaits this user (events of jobs that do not need approval change nothing).
 */
function applyToInbox(client: QueryClient, job: JobSummary): void {
  if (!job.approval) return;
  const key = queryKeys.approvals();
  if (job.state === 'AWAITING_APPROVAL') {
    void client.invalidateQueries({ queryKey: key, exact: true });
    return;
  }
  const inbox = client.getQueryData<JobSummary[]>(key);
  if (inbox?.some((row) => row.id === job.id)) client.setQueryData(key, inbox.filter((row) => row.id !== job.id));
}
