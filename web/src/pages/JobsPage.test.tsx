// @vitest-environment jsdom
import type { JobSummary } from '@shelf/contract';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { FakeWebSocket } from '../test/fakeWebSocket';
import { currentLocation, mockFetch, renderPage, userOf } from '../test/render';
import { ConnectionIndicator } from '../components/ConnectionIndicator/ConnectionIndicator';
import JobsPage from './JobsPage';

const job = (id: string, over: Partial<JobSummary> = {}): JobSummary => ({
  id,
  itemId: 'hello-world',
  itemName: 'Hello World',
  version: '1.2.0',
  state: 'RUNNING',
  progress: { percent: 10, message: 'starting' },
  createdAt: '2025-01-01T10:00:00Z',
  startedAt: '2025-01-01T10:00:01Z',
  finishedAt: null,
  error: null,
  retryOf: null,
  submittedBy: { id: 'u-alice', username: 'alice' },
  ...over,
});

function Page() {
  return (
    <>
      <ConnectionIndicator />
      <JobsPage />
    </>
  );
}

describe('JobsPage', () => {
  test('updates rows live from job events without refetching, and shows the connection state', async () => {
    const calls = mockFetch({
      'GET /api/jobs': () => ({ body: { items: [job('j2'), job('j1', { state: 'FAILED', progress: { percent: 100, message: '' } })], total: 2, page: 1, pageSize: 20 } }),
    });
    renderPage(<Page />, { route: '/jobs', path: '/jobs' });
    const rows = await screen.findAllByTestId('job-row');
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByRole('button', { name: 'Cancel job j2' })).toBeTruthy();
    expect(within(rows[1]!).getByRole('button', { name: 'Retry job j1' })).toBeTruthy();
    expect(screen.getByTestId('connection-state').dataset.state).toBe('connecting');

    const ws = FakeWebSocket.latest();
    act(() => ws.open());
    expect(screen.getByTestId('connection-state').textContent).toContain('Live');

    act(() => ws.receive({ type: 'job', job: job('j2', { state: 'SUCCEEDED', progress: { percent: 100, message: 'done' } }) }));
    // TanStack Query notifies its observers on the next tick.
    await waitFor(() => expect(within(screen.getAllByTestId('job-row')[0]!).getByTestId('job-state').textContent).toBe('SUCCEEDED'));
    const updated = screen.getAllByTestId('job-row')[0]!;
    expect(within(updated).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    expect(within(updated).queryByRole('button', { name: 'Cancel job j2' })).toBeNull();

    act(() => ws.receive({ type: 'job', job: job('j3', { state: 'QUEUED' }) }));
    await waitFor(() => expect(screen.getAllByTestId('job-row').map((r) => r.dataset.jobId)).toEqual(['j3', 'j2', 'j1']));
    expect(calls.filter((c) => c.url.startsWith('/api/jobs'))).toHaveLength(1);

    act(() => ws.drop());
    expect(screen.getByTestId('connection-state').textContent).toContain('Reconnecting');
  });

  test('keeps the state filter, search and page in the URL', async () => {
    const user = userEvent.setup();
    const calls = mockFetch({
      'GET /api/jobs': () => ({ body: { items: [job('j1')], total: 45, page: 1, pageSize: 20 } }),
    });
    renderPage(<JobsPage />, { route: '/jobs?state=RUNNING', path: '/jobs' });
    await screen.findAllByTestId('job-row');
    expect(screen.getByLabelText<HTMLSelectElement>('State').value).toBe('RUNNING');
    expect(calls.at(-1)!.url).toBe('/api/jobs?page=1&pageSize=20&state=RUNNING');

    await user.click(screen.getByRole('button', { name: /Next/ }));
    await waitFor(() => expect(currentLocation()).toBe('/jobs?state=RUNNING&page=2'));
    await waitFor(() => expect(calls.at(-1)!.url).toBe('/api/jobs?page=2&pageSize=20&state=RUNNING'));

    await user.type(screen.getByLabelText('Search'), 'hello');
    await waitFor(() => expect(currentLocation()).toBe('/jobs?state=RUNNING&q=hello'));
    expect(calls.filter((c) => c.url.includes('q=h&') || c.url.includes('q=he&'))).toHaveLength(0);

    await user.selectOptions(screen.getByLabelText('State'), '');
    await waitFor(() => expect(currentLocation()).toBe('/jobs?q=hello'));
  });

  test("shows who submitted each job, and lets only the submitter or an admin act on it", async () => {
    const bobs = job('j9', { state: 'FAILED', submittedBy: { id: 'u-bob', username: 'bob' } });
    mockFetch({ 'GET /api/jobs': () => ({ body: { items: [job('j1'), bobs], total: 2, page: 1, pageSize: 20 } }) });
    const { unmount } = renderPage(<JobsPage />, { route: '/jobs', path: '/jobs', me: userOf('runner') });
    const [mine, theirs] = await screen.findAllByTestId('job-row');
    expect(within(mine!).getByTestId('job-submitter').textContent).toBe('alice');
    expect(within(theirs!).getByTestId('job-submitter').textContent).toBe('bob');
    expect(within(mine!).getByRole<HTMLButtonElement>('button', { name: 'Cancel job j1' }).disabled).toBe(false);
    const retry = within(theirs!).getByRole<HTMLButtonElement>('button', { name: 'Retry job j9' });
    expect(retry.disabled).toBe(true);
    expect(retry.title).toBe('Only the person who submitted this job, or an admin, may retry or cancel it.');
    expect(document.getElementById(retry.getAttribute('aria-describedby')!)!.textContent).toBe(retry.title);
    unmount();

    renderPage(<JobsPage />, { route: '/jobs', path: '/jobs', me: userOf('admin') });
    const rows = await screen.findAllByTestId('job-row');
    expect(within(rows[1]!).getByRole<HTMLButtonElement>('button', { name: 'Retry job j9' }).disabled).toBe(false);
  });
});
