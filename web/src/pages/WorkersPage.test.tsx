// @vitest-environment jsdom
import type { WorkerSummary } from '@shelf/contract';
import { focusManager } from '@tanstack/react-query';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test, vi } from 'vitest';
import { mockFetch, renderPage, userOf } from '../test/render';
import WorkersPage, { workerRefreshMs } from './WorkersPage';

const secondsAgo = (s: number) => new Date(Date.now() - s * 1000).toISOString();

const worker = (over: Partial<WorkerSummary> = {}): WorkerSummary => ({
  id: 'w-alpha',
  host: 'build-1.example.com',
  version: '0.16.0',
  runner: 'docker',
  labels: ['gpu', 'linux'],
  concurrency: 4,
  running: ['0123456789abcdef0123', 'j2'],
  state: 'active',
  startedAt: secondsAgo(3 * 3600),
  lastSeenAt: secondsAgo(2),
  ...over,
});

const fleet: WorkerSummary[] = [
  worker(),
  worker({ id: 'w-beta', host: 'build-2', labels: [], running: ['j3'], concurrency: 2, state: 'draining' }),
  worker({ id: 'w-gamma', host: 'build-3', labels: [], running: [], concurrency: 2, state: 'drained' }),
  worker({ id: 'w-delta', host: 'build-4', version: '', running: ['j-lost'], concurrency: 8, state: 'stale', lastSeenAt: secondsAgo(5 * 60) }),
];

const row = (id: string) => screen.getAllByTestId('worker-row').find((r) => r.dataset.workerId === id)!;
const posts = (calls: { url: string; init?: RequestInit }[]) => calls.filter((c) => c.init?.method === 'POST').map((c) => c.url);
const lists = (calls: { url: string; init?: RequestInit }[]) => calls.filter((c) => c.url === '/api/workers' && c.init?.method === 'GET').length;

function renderWorkers(role: 'admin' | 'runner' = 'admin') {
  return renderPage(<WorkersPage />, { route: '/admin/workers', path: '/admin/workers', me: userOf(role) });
}

describe('WorkersPage', () => {
  test('lists each worker with its host, labels, load, running jobs and state; a stale one says when it was last seen', async () => {
    mockFetch({ 'GET /api/workers': () => ({ body: { items: fleet } }) });
    renderWorkers();
    await screen.findAllByTestId('worker-row');
    expect(screen.getByRole('heading', { level: 1, name: 'Workers' })).toBeTruthy();

    const alpha = row('w-alpha');
    expect(within(alpha).getByRole('rowheader').textContent).toBe('w-alpha');
    expect(within(alpha).getByText('build-1.example.com')).toBeTruthy();
    expect(within(alpha).getByText('0.16.0')).toBeTruthy();
    expect(within(alpha).getByText('docker')).toBeTruthy();
    expect(within(within(alpha).getByRole('list', { name: 'Labels' })).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['gpu', 'linux']);
    expect(within(alpha).getByTestId('worker-load').textContent).toBe('2/4 slots busy');
    const jobs = within(within(alpha).getByRole('list', { name: 'Jobs running on w-alpha' })).getAllByRole('link');
    expect(jobs.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['0123456789ab…', '/jobs/0123456789abcdef0123'],
      ['j2', '/jobs/j2'],
    ]);
    expect(within(alpha).getByTestId('worker-state').dataset.state).toBe('active');
    const started = within(alpha).getByText('3 hours ago');
    expect(started.tagName).toBe('TIME');
    expect(started.getAttribute('title')).toBeTruthy();
    expect(within(alpha).queryByTestId('stale-seen')).toBeNull();

    expect(within(row('w-beta')).getByTestId('worker-state').dataset.state).toBe('draining');
    expect(within(row('w-beta')).getByText('none')).toBeTruthy();
    expect(within(row('w-gamma')).getByTestId('worker-state').dataset.state).toBe('drained');
    expect(within(row('w-gamma')).getByTestId('worker-load').textContent).toBe('0/2 slots busy');

    const delta = row('w-delta');
    expect(within(delta).getByTestId('worker-state').dataset.state).toBe('stale');
    expect(within(delta).getByTestId('stale-seen').textContent).toBe('last seen 5 minutes ago');
    // A stale worker cannot act on a request: no actions.
    expect(within(delta).queryByRole('button')).toBeNull();
  });

  test('sums the fleet up above the list: states, and busy slots of the live workers', async () => {
    mockFetch({ 'GET /api/workers': () => ({ body: { items: fleet } }) });
    renderWorkers();
    expect((await screen.findByTestId('workers-summary')).textContent).toBe(
      '4 workers: 1 active, 2 draining or drained, 1 stale. 3 of 8 slots busy (live workers).',
    );
  });

  test('says how to start a worker when none reported in', async () => {
    mockFetch({ 'GET /api/workers': () => ({ body: { items: [] } }) });
    renderWorkers();
    const empty = await screen.findByTestId('workers-empty');
    expect(empty.textContent).toContain('No worker has reported in. Start one with npm start or see Running on several machines');
    expect(screen.queryByTestId('workers-summary')).toBeNull();
  });

  test('asks again every 5 seconds and when the window regains focus', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const calls = mockFetch({ 'GET /api/workers': () => ({ body: { items: fleet } }) });
      renderWorkers();
      await screen.findAllByTestId('worker-row');
      expect(lists(calls)).toBe(1);
      await act(() => vi.advanceTimersByTimeAsync(workerRefreshMs));
      await waitFor(() => expect(lists(calls)).toBe(2));
      act(() => {
        focusManager.setFocused(false);
        focusManager.setFocused(true);
      });
      await waitFor(() => expect(lists(calls)).toBe(3));
    } finally {
      focusManager.setFocused(undefined);
      vi.useRealTimers();
    }
  });

  test('drains an active worker after asking, says so and refreshes the list', async () => {
    const user = userEvent.setup();
    let alpha = worker();
    const calls = mockFetch({
      'GET /api/workers': () => ({ body: { items: [alpha] } }),
      'POST /api/workers/w-alpha/drain': () => {
        alpha = { ...alpha, state: 'draining' };
        return { status: 202, body: worker() };
      },
    });
    renderWorkers();
    await user.click(await screen.findByRole('button', { name: 'Drain worker w-alpha' }));
    expect(posts(calls)).toEqual([]);
    const question = screen.getByRole('group', { name: 'Drain worker w-alpha? It finishes its running jobs and takes no new ones.' });
    await user.click(within(question).getByRole('button', { name: 'Drain' }));

    expect(await within(row('w-alpha')).findByText('Worker w-alpha is draining.')).toBeTruthy();
    expect(posts(calls)).toEqual(['/api/workers/w-alpha/drain']);
    await waitFor(() => expect(within(row('w-alpha')).getByTestId('worker-state').dataset.state).toBe('draining'));
    expect(lists(calls)).toBe(2);
    expect(within(row('w-alpha')).getByRole('button', { name: 'Resume worker w-alpha' })).toBeTruthy();
  });

  test('resumes a drained worker, says so and refreshes the list', async () => {
    const user = userEvent.setup();
    let gamma = worker({ id: 'w-gamma', running: [], state: 'drained' });
    const calls = mockFetch({
      'GET /api/workers': () => ({ body: { items: [gamma] } }),
      'POST /api/workers/w-gamma/resume': () => {
        gamma = { ...gamma, state: 'active' };
        return { status: 202, body: gamma };
      },
    });
    renderWorkers();
    expect(screen.queryByRole('button', { name: /Drain/ })).toBeNull();
    await user.click(await screen.findByRole('button', { name: 'Resume worker w-gamma' }));

    expect(await within(row('w-gamma')).findByText('Worker w-gamma resumes.')).toBeTruthy();
    expect(posts(calls)).toEqual(['/api/workers/w-gamma/resume']);
    await waitFor(() => expect(within(row('w-gamma')).getByTestId('worker-state').dataset.state).toBe('active'));
    expect(lists(calls)).toBe(2);
  });

  test('a worker that went away (404) is said so next to its row, or above the list once it left it', async () => {
    const user = userEvent.setup();
    let items = [worker(), worker({ id: 'w-beta', state: 'draining' })];
    mockFetch({
      'GET /api/workers': () => ({ body: { items } }),
      'POST /api/workers/w-alpha/drain': () => ({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'worker w-alpha not found' } } }),
      'POST /api/workers/w-beta/resume': () => {
        // It stopped cleanly in the meantime: the registry no longer lists it.
        items = items.filter((w) => w.id !== 'w-beta');
        return { status: 404, body: { error: { code: 'NOT_FOUND', message: 'worker w-beta not found' } } };
      },
    });
    renderWorkers();
    await user.click(await screen.findByRole('button', { name: 'Drain worker w-alpha' }));
    await user.click(within(screen.getByRole('group', { name: /^Drain worker w-alpha\?/ })).getByRole('button', { name: 'Drain' }));
    const alert = await within(row('w-alpha')).findByRole('alert');
    expect(alert.textContent).toBe('Could not drain worker w-alpha: it went away (it stopped, or missed its heartbeats).');

    await user.click(screen.getByRole('button', { name: 'Resume worker w-beta' }));
    await waitFor(() => expect(screen.getAllByTestId('worker-row')).toHaveLength(1));
    expect(screen.getByTestId('worker-gone').textContent).toBe('Could not resume worker w-beta: it went away (it stopped, or missed its heartbeats).');
  });

  test('shows any other refusal next to the row', async () => {
    const user = userEvent.setup();
    mockFetch({
      'GET /api/workers': () => ({ body: { items: [worker({ state: 'drained', running: [] })] } }),
      'POST /api/workers/w-alpha/resume': () => ({ status: 500, body: { error: { code: 'INTERNAL', message: 'Redis is unreachable' } } }),
    });
    renderWorkers();
    await user.click(await screen.findByRole('button', { name: 'Resume worker w-alpha' }));
    expect((await within(row('w-alpha')).findByRole('alert')).textContent).toBe('Could not resume worker w-alpha: Redis is unreachable');
  });

  test('is for admins only: others get the reason, and nothing is asked of the API', async () => {
    const calls = mockFetch({});
    renderWorkers('runner');
    expect(await screen.findByText(/An administrator can change your role/)).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Workers' })).toBeTruthy();
    expect(calls.filter((c) => c.url.startsWith('/api/workers'))).toEqual([]);
  });
});
