// @vitest-environment jsdom
import type { JobSummary } from '@shelf/contract';
import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { FakeWebSocket } from '../test/fakeWebSocket';
import { mockFetch, renderPage, userOf } from '../test/render';
import ApprovalsPage from './ApprovalsPage';

const request = (id: string, over: Partial<JobSummary> = {}): JobSummary => ({
  id,
  itemId: 'provision-database',
  itemName: 'Request a Database',
  version: '1.0.0',
  state: 'AWAITING_APPROVAL',
  progress: { percent: 0, message: '' },
  createdAt: '2025-01-01T10:00:00Z',
  startedAt: null,
  finishedAt: null,
  error: null,
  retryOf: null,
  submittedBy: { id: 'u-rita', username: 'rita' },
  approval: { approvers: ['group:dba'], minApprovals: 2, timeout: '24h', deadline: '2025-01-02T10:00:00Z', approved: 1 },
  ...over,
});

const rows = () => screen.queryAllByTestId('approval-row').map((r) => r.dataset.jobId);

describe('ApprovalsPage', () => {
  test('lists what awaits the user, and follows job events live', async () => {
    let inbox = [request('j1')];
    const calls = mockFetch({ 'GET /api/approvals': () => ({ body: { items: inbox } }) });
    renderPage(<ApprovalsPage />, { route: '/approvals', path: '/approvals', me: userOf('runner', { groups: ['dba'] }) });
    expect(await screen.findAllByTestId('approval-row')).toHaveLength(1);
    expect(screen.getByText('Waiting for approval by group:dba (1 of 2)')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Review job j1' }).getAttribute('href')).toBe('/jobs/j1');
    expect(screen.getByText('rita')).toBeTruthy();

    const ws = FakeWebSocket.latest();
    act(() => ws.open());
    // A new request: only the server knows whether it awaits this user, so the inbox asks again.
    inbox = [request('j2'), request('j1')];
    act(() => ws.receive({ type: 'job', job: request('j2') }));
    await waitFor(() => expect(rows()).toEqual(['j2', 'j1']));
    expect(calls.filter((c) => c.url === '/api/approvals')).toHaveLength(2);

    // Decided elsewhere: it leaves the inbox at once, without asking.
    act(() => ws.receive({ type: 'job', job: request('j1', { state: 'QUEUED', approval: { ...request('j1').approval!, approved: 2 } }) }));
    await waitFor(() => expect(rows()).toEqual(['j2']));
    expect(calls.filter((c) => c.url === '/api/approvals')).toHaveLength(2);
  });

  test('says so when nothing waits', async () => {
    mockFetch({ 'GET /api/approvals': () => ({ body: { items: [] } }) });
    renderPage(<ApprovalsPage />, { route: '/approvals', path: '/approvals' });
    expect((await screen.findByTestId('approvals-empty')).textContent).toBe('Nothing waits for your decision.');
  });
});
