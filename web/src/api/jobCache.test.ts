import type { JobDetail, JobSummary } from '@shelf/contract';
import { QueryClient } from '@tanstack/react-query';
import { describe, expect, test } from 'vitest';
import type { JobsPage, JobsQuery } from './client';
import { applyJobEvent, applyJobToPage, jobMatches } from './jobCache';
import { queryKeys } from './queryKeys';

const job = (id: string, over: Partial<JobSummary> = {}): JobSummary => ({
  id,
  itemId: 'hello-world',
  itemName: 'Hello World',
  version: '1.0.0',
  state: 'QUEUED',
  progress: { percent: 0, message: '' },
  createdAt: '2025-01-01T00:00:00Z',
  startedAt: null,
  finishedAt: null,
  error: null,
  retryOf: null,
  submittedBy: { id: 'u-alice', username: 'alice' },
  ...over,
});

const page = (items: JobSummary[], over: Partial<JobsPage> = {}): JobsPage => ({ items, total: items.length, page: 1, pageSize: 20, ...over });
const q = (over: Partial<JobsQuery> = {}): JobsQuery => ({ page: 1, pageSize: 20, ...over });

describe('job events in the caches', () => {
  test('replace a known row in place', () => {
    const before = page([job('a'), job('b')]);
    const after = applyJobToPage(before, q(), job('b', { state: 'RUNNING' }))!;
    expect(after.items.map((j) => [j.id, j.state])).toEqual([
      ['a', 'QUEUED'],
      ['b', 'RUNNING'],
    ]);
  });

  test('put a new matching job on top of page 1, and leave non-matching lists alone', () => {
    const before = page([job('a')], { pageSize: 1, total: 5 });
    const after = applyJobToPage(before, q({ pageSize: 1 }), job('new'))!;
    expect(after.items.map((j) => j.id)).toEqual(['new']);
    expect(after.total).toBe(6);
    expect(applyJobToPage(before, q({ state: 'FAILED' }), job('new'))).toBe(before);
    expect(applyJobToPage(before, q({ page: 2 }), job('new'))).toBeUndefined();
  });

  test('match filters as the server does', () => {
    expect(jobMatches(job('abc'), q({ q: 'HELLO' }))).toBe(true);
    expect(jobMatches(job('abc'), q({ q: 'bc' }))).toBe(true);
    expect(jobMatches(job('abc'), q({ q: 'zzz' }))).toBe(false);
    expect(jobMatches(job('abc'), q({ itemId: 'other' }))).toBe(false);
  });

  test('update the cached detail and every cached list without fetching', () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.job('a'), { ...job('a'), inputs: { x: 1 } } as unknown as JobDetail);
    client.setQueryData(queryKeys.jobList(q()), page([job('a')]));
    client.setQueryData(queryKeys.jobList(q({ state: 'QUEUED' })), page([job('a')]));
    applyJobEvent(client, job('a', { state: 'RUNNING', progress: { percent: 40, message: 'halfway' } }));
    expect(client.getQueryData<JobDetail>(queryKeys.job('a'))).toMatchObject({ state: 'RUNNING', inputs: { x: 1 } });
    expect(client.getQueryData<JobsPage>(queryKeys.jobList(q()))!.items[0]!.progress.percent).toBe(40);
    expect(client.getQueryData<JobsPage>(queryKeys.jobList(q({ state: 'QUEUED' })))!.items[0]!.state).toBe('RUNNING');
  });

  test('keep the approvals inbox current: a decided job leaves it, a new request refetches it', async () => {
    const approval = { approvers: ['group:dba'], minApprovals: 1, timeout: '24h', deadline: '2025-01-02T00:00:00Z', approved: 0 };
    const client = new QueryClient();
    client.setQueryData(queryKeys.approvals(), [job('a', { state: 'AWAITING_APPROVAL', approval }), job('b', { state: 'AWAITING_APPROVAL', approval })]);
    applyJobEvent(client, job('a', { state: 'QUEUED', approval: { ...approval, approved: 1 } }));
    expect(client.getQueryData<JobSummary[]>(queryKeys.approvals())!.map((j) => j.id)).toEqual(['b']);
    expect(client.getQueryState(queryKeys.approvals())!.isInvalidated).toBe(false);
    applyJobEvent(client, job('c', { state: 'RUNNING' }));
    expect(client.getQueryState(queryKeys.approvals())!.isInvalidated).toBe(false);
    applyJobEvent(client, job('d', { state: 'AWAITING_APPROVAL', approval }));
    expect(client.getQueryState(queryKeys.approvals())!.isInvalidated).toBe(true);
  });
});
