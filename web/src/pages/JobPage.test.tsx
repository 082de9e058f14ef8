// @vitest-environment jsdom
import { SECRET_MASK, type JobDetailAnswer } from '@shelf/contract';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { FakeWebSocket } from '../test/fakeWebSocket';
import { mockFetch, renderPage, userOf } from '../test/render';
import JobPage from './JobPage';

const detail = (over: Partial<JobDetailAnswer> = {}): JobDetailAnswer => ({
  id: 'j1',
  itemId: 'csv-stats',
  itemName: 'CSV stats',
  version: '1.0.0',
  state: 'RUNNING',
  progress: { percent: 40, message: 'reading rows' },
  createdAt: '2025-01-01T10:00:00Z',
  startedAt: '2025-01-01T10:00:01Z',
  finishedAt: null,
  error: null,
  retryOf: 'j0',
  submittedBy: { id: 'u-alice', username: 'alice' },
  digest: 'b'.repeat(64),
  inputs: { csv: 'a,b\n1,2', hasHeader: true },
  exitCode: null,
  outputs: null,
  limits: { memoryBytes: 256 * 1024 * 1024, cpus: 0.5, pids: 128, timeoutSeconds: 300 },
  runsOn: [],
  workerId: null,
  approvals: [],
  canDecide: { allowed: false, reason: 'this job needs no approval' },
  previousRun: null,
  ...over,
});

describe('JobPage', () => {
  test('a queued job no worker can take says what it waits for, and which workers run it', async () => {
    const reason = 'waiting for a worker with label gpu: no live worker has it (w1: no labels)';
    mockFetch({
      'GET /api/jobs/j1': () => ({ body: detail({ state: 'QUEUED', startedAt: null, runsOn: ['gpu'], waitingFor: { labels: ['gpu'], reason } }) }),
    });
    renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id' });
    const notice = await screen.findByTestId('job-waiting-for');
    expect(notice.textContent).toContain(reason);
    expect(notice.getAttribute('role')).toBe('status');
    expect(screen.getByTestId('job-runs-on').textContent).toBe('workers labelled gpu');
  });

  test('a running job shows no waiting notice even if an old answer had one', async () => {
    mockFetch({ 'GET /api/jobs/j1': () => ({ body: detail({ waitingFor: { labels: [], reason: 'waiting for a worker: no worker is running' } }) }) });
    renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id' });
    expect(await screen.findByRole('heading', { level: 1 })).toBeTruthy();
    expect(screen.queryByTestId('job-waiting-for')).toBeNull();
    expect(screen.getByText('any worker')).toBeTruthy();
  });

  test('shows the job, follows its log and state live, and renders outputs safely', async () => {
    let current = detail();
    mockFetch({ 'GET /api/jobs/j1': () => ({ body: current }) });
    renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id' });

    expect(await screen.findByRole('heading', { level: 1 })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'j0' }).getAttribute('href')).toBe('/jobs/j0');
    expect(screen.getByRole('button', { name: 'Cancel job j1' })).toBeTruthy();
    expect(screen.getByTestId('job-submitter').textContent).toBe('submitted by alice');
    expect(screen.getByText('256 MiB')).toBeTruthy();
    expect(screen.getByRole('log', { name: 'Job log' })).toBeTruthy();

    const ws = FakeWebSocket.latest();
    act(() => ws.open());
    expect(ws.sent).toEqual([{ subscribe: 'j1', after: 0 }]);
    act(() => {
      ws.receive({ type: 'log', jobId: 'j1', seq: 1, stream: 'stdout', line: '\u001b[32mok\u001b[0m <script>window.pwned=1</script>' });
      ws.receive({ type: 'log', jobId: 'j1', seq: 2, stream: 'stderr', line: 'warning' });
      ws.receive({ type: 'subscribed', jobId: 'j1', seq: 2 });
    });
    await waitFor(() => expect(screen.getByTestId('log-status').textContent).toBe('2 lines'));

    current = detail({
      state: 'SUCCEEDED',
      finishedAt: '2025-01-01T10:00:05Z',
      exitCode: 0,
      progress: { percent: 100, message: 'done' },
      outputs: { report: 'https://example.com/report', rows: 2, sneaky: 'javascript:alert(1)', columns: { a: 'int' } },
    });
    act(() => ws.receive({ type: 'job', job: { ...current } }));
    await waitFor(() => expect(screen.getByTestId('job-state-announcement').textContent).toContain('succeeded'));
    // The finished state refetches the job for its outputs.
    expect((await screen.findByRole('link', { name: 'https://example.com/report' })).getAttribute('href')).toBe('https://example.com/report');
    expect(screen.getByText('javascript:alert(1)').tagName).not.toBe('A');
    expect(screen.getByText(/"a": "int"/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Cancel job j1' })).toBeNull();
    expect(document.querySelector('script')).toBeNull();
  });

  test('shows a secret input as a masked badge, never as a value to copy, and leaves other inputs as they are', async () => {
    mockFetch({ 'GET /api/jobs/j1': () => ({ body: detail({ inputs: { user: 'admin', password: SECRET_MASK } }) }) });
    renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id' });
    const inputs = await screen.findByRole('region', { name: 'Inputs' });
    const badge = within(inputs).getByTestId('secret-badge');
    expect(badge.textContent).toBe('•••••••• secret');
    expect(badge.getAttribute('title')).toBe('secret input: never shown');
    expect(within(inputs).getByText('admin')).toBeTruthy();
    expect(within(inputs).queryByText(SECRET_MASK)).toBeNull();
    expect(within(inputs).queryByRole('button', { name: /copy/i })).toBeNull();
    expect(inputs.querySelector('input, textarea')).toBeNull();
  });

  describe('a job that needs approval', () => {
    const awaiting = (over: Partial<JobDetailAnswer> = {}) =>
      detail({
        state: 'AWAITING_APPROVAL',
        startedAt: null,
        progress: { percent: 0, message: '' },
        retryOf: null,
        inputs: { size: 'L', region: 'eu' },
        approval: { approvers: ['group:dba'], minApprovals: 2, timeout: '24h', deadline: '2099-01-02T10:00:00Z', approved: 1 },
        approvals: [{ by: { id: 'u-dina', username: 'dina' }, decision: 'approved', comment: 'fine by me', at: '2025-01-01T10:05:00Z' }],
        previousRun: { id: 'f'.repeat(32), version: '1.0.0', createdAt: '2024-12-01T10:00:00Z', inputs: { size: 'S', region: 'eu' } },
        ...over,
      });

    test('the requester sees whom it waits for, the deadline and what will run, and no decision buttons', async () => {
      mockFetch({ 'GET /api/jobs/j1': () => ({ body: awaiting({ canDecide: { allowed: false, reason: 'you submitted this job: someone else must approve or reject it' } }) }) });
      renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id' });
      expect((await screen.findByTestId('approval-status')).textContent).toBe('Waiting for approval by group:dba (1 of 2)');
      const panel = screen.getByTestId('approval-panel');
      expect(within(panel).getByText('csv-stats@1.0.0')).toBeTruthy();
      expect(within(panel).getByText('b'.repeat(64))).toBeTruthy();
      expect(within(panel).getByText('You submitted this job: someone else must approve or reject it.')).toBeTruthy();
      expect(within(panel).queryByRole('button', { name: 'Approve' })).toBeNull();
      expect(within(screen.getByTestId('approval-history')).getByText('fine by me')).toBeTruthy();
      // Withdrawing the request is the requester's cancel.
      expect(screen.getByRole('button', { name: 'Cancel job j1' })).toBeTruthy();
    });

    test('an approver sees the changes since the previous run and approves with a comment', async () => {
      let current = awaiting({ submittedBy: { id: 'u-rita', username: 'rita' }, canDecide: { allowed: true } });
      const calls = mockFetch({
        'GET /api/jobs/j1': () => ({ body: current }),
        'POST /api/jobs/j1/approve': () => {
          current = { ...current, state: 'QUEUED', approval: { ...current.approval!, approved: 2 }, canDecide: { allowed: false, reason: 'you approved it already' } };
          return { body: current };
        },
        'GET /api/approvals': () => ({ body: { items: [] } }),
      });
      renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id', me: userOf('runner', { groups: ['dba'] }) });
      const changes = await screen.findByTestId('input-changes');
      expect(within(changes).getAllByRole('row').slice(1).map((r) => r.textContent)).toEqual(['sizeSL']);
      const user = userEvent.setup();
      await user.type(screen.getByLabelText(/^Comment/), 'ship it');
      await user.click(screen.getByRole('button', { name: 'Approve' }));
      await waitFor(() => expect(screen.getByTestId('job-state').getAttribute('data-state')).toBe('QUEUED'));
      const post = calls.find((c) => c.init?.method === 'POST');
      expect(post?.url).toBe('/api/jobs/j1/approve');
      expect(JSON.parse(String(post?.init?.body))).toEqual({ comment: 'ship it' });
      await waitFor(() => expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull());
      expect(screen.getByTestId('approval-status').textContent).toBe('2 of 2 approvals needed from group:dba.');
    });

    test('lists a secret input as not compared: both runs only have its mask', async () => {
      mockFetch({
        'GET /api/jobs/j1': () => ({
          body: awaiting({
            inputs: { size: 'L', region: 'eu', password: SECRET_MASK },
            previousRun: { id: 'f'.repeat(32), version: '1.0.0', createdAt: '2024-12-01T10:00:00Z', inputs: { size: 'S', region: 'eu', password: SECRET_MASK } },
          }),
        }),
      });
      renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id' });
      const changes = await screen.findByTestId('input-changes');
      expect(within(changes).getAllByRole('row').slice(1).map((r) => r.textContent)).toEqual(['sizeSL', 'passwordsecret (not compared)']);
      expect(within(changes).queryByText(SECRET_MASK)).toBeNull();
    });

    test('an expired request says so in its history', async () => {
      mockFetch({ 'GET /api/jobs/j1': () => ({ body: awaiting({ state: 'EXPIRED', finishedAt: '2025-01-02T10:00:00Z', approvals: [], error: { code: 'EXPIRED', message: 'nobody approved it within 24h' } }) }) });
      renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id' });
      const history = await screen.findByTestId('approval-history');
      expect(history.textContent).toContain('nobody approved it within 24h');
      expect(screen.getByRole('button', { name: 'Retry job j1' })).toBeTruthy();
    });
  });

  describe('where a job came from, and running it again', () => {
    const rerunOf = 'e'.repeat(32);

    test('links the schedule that started it, the job it re-runs, and the form to run it again with changes', async () => {
      mockFetch({
        'GET /api/jobs/j1': () => ({ body: detail({ scheduleId: 's1', rerunOf }) }),
        'GET /api/schedules/s1': () => ({ body: { id: 's1', name: 'Weekday stats' } }),
      });
      renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id' });
      const origin = await screen.findByTestId('job-schedule');
      await waitFor(() => expect(origin.textContent).toBe('scheduled by Weekday stats'));
      expect(within(origin).getByRole('link', { name: 'Weekday stats' }).getAttribute('href')).toBe('/schedules');

      const rerun = screen.getByRole('link', { name: `job ${rerunOf}` });
      expect(rerun.getAttribute('href')).toBe(`/jobs/${rerunOf}`);
      expect(rerun.textContent).toBe('eeeeeeeeeeee…');
      expect(rerun.closest('dd')!.textContent).toBe('job eeeeeeeeeeee…');

      expect(screen.getByRole('link', { name: 'Run again with changes' }).getAttribute('href')).toBe('/catalog/csv-stats?version=1.0.0&rerun=j1');
    });

    test('says only "a schedule" when its schedule is not the viewer’s to see', async () => {
      // The API answers 404 for a schedule that is not the viewer's (fetch mocks answer 404 for anything unlisted).
      const calls = mockFetch({ 'GET /api/jobs/j1': () => ({ body: detail({ scheduleId: 's-other' }) }) });
      renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id' });
      const origin = await screen.findByTestId('job-schedule');
      await waitFor(() => expect(calls.some((c) => c.url === '/api/schedules/s-other')).toBe(true));
      expect(origin.textContent).toBe('started by a schedule');
      expect(within(origin).queryByRole('link')).toBeNull();
    });

    test('a job started by hand names no schedule and asks for none', async () => {
      const calls = mockFetch({ 'GET /api/jobs/j1': () => ({ body: detail() }) });
      renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id' });
      await screen.findByRole('heading', { level: 1 });
      expect(screen.queryByTestId('job-schedule')).toBeNull();
      expect(screen.getByRole('link', { name: 'Run again with changes' })).toBeTruthy();
      expect(calls.some((c) => c.url.startsWith('/api/schedules'))).toBe(false);
    });

    test('a viewer is not offered to run it again', async () => {
      mockFetch({ 'GET /api/jobs/j1': () => ({ body: detail({ scheduleId: 's1' }) }) });
      renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id', me: userOf('viewer') });
      await screen.findByRole('heading', { level: 1 });
      expect(screen.queryByRole('link', { name: 'Run again with changes' })).toBeNull();
    });
  });

  describe('a failed job', () => {
    const failed = (over: Partial<JobDetailAnswer> = {}) =>
      detail({ state: 'FAILED', finishedAt: '2025-01-01T10:00:05Z', exitCode: 1, error: { code: 'EXIT', message: 'the script exited with code 1' }, ...over });
    const tailUrl = '/api/jobs/j1/logs?tail=5&stream=stderr';
    const stderrLine = (seq: number, line: string) => ({ seq, ts: '2025-01-01T10:00:04Z', stream: 'stderr', line });

    test('leads with the error the script reported, keeps its outputs, and asks for no log lines', async () => {
      const calls = mockFetch({
        'GET /api/jobs/j1': () => ({
          body: failed({ error: { code: 'EXIT', message: 'malformed CSV at line 4 (exit code 1)' }, outputs: { error: 'malformed CSV at line 4', rows: 3 } }),
        }),
      });
      renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id' });
      const banner = await screen.findByTestId('job-failure');
      expect(banner.textContent).toBe('EXIT malformed CSV at line 4 (exit code 1)');
      const outputs = screen.getByRole('region', { name: 'Outputs' });
      expect(within(outputs).getByText('malformed CSV at line 4')).toBeTruthy();
      expect(within(outputs).queryByText('This job produced no outputs.')).toBeNull();
      expect(calls.some((c) => c.url.includes('/logs'))).toBe(false);
    });

    test('without a reported error, quotes the last stderr lines of the log, colours stripped', async () => {
      const calls = mockFetch({
        'GET /api/jobs/j1': () => ({ body: failed() }),
        [`GET ${tailUrl}`]: () => ({ body: { items: [stderrLine(7, 'retry 6 of 6'), stderrLine(9, '\u001b[31mfatal:\u001b[0m cannot reach db:5432')], next: 9 } }),
      });
      renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id' });
      const lines = await screen.findByTestId('job-failure-stderr');
      expect(lines.textContent).toBe('retry 6 of 6\nfatal: cannot reach db:5432');
      expect(within(screen.getByTestId('job-failure')).getByText('The last 2 lines on stderr')).toBeTruthy();
      expect(calls.filter((c) => c.url === tailUrl)).toHaveLength(1);
    });

    test('an infrastructure failure or a cancelled job quotes no log lines', async () => {
      const calls = mockFetch({ 'GET /api/jobs/j1': () => ({ body: failed({ error: { code: 'INFRA', message: 'image gone' }, exitCode: null }) }) });
      renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id' });
      expect((await screen.findByTestId('job-failure')).textContent).toBe('INFRA image gone');
      expect(screen.queryByTestId('job-failure-stderr')).toBeNull();
      expect(calls.some((c) => c.url.includes('/logs'))).toBe(false);
    });

    test('"Jump to log" moves focus to the log', async () => {
      mockFetch({ 'GET /api/jobs/j1': () => ({ body: failed() }), [`GET ${tailUrl}`]: () => ({ body: { items: [], next: 0 } }) });
      renderPage(<JobPage />, { route: '/jobs/j1', path: '/jobs/:id' });
      const jump = await screen.findByRole('link', { name: 'Jump to log' });
      expect(jump.getAttribute('href')).toBe('#job-log');
      await userEvent.click(jump);
      expect(document.activeElement).toBe(screen.getByRole('region', { name: 'Log' }));
      expect(document.activeElement?.id).toBe('job-log');
    });
  });
});
