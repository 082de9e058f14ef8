// @vitest-environment jsdom
import type { JobDetail } from '@shelf/contract';
import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { FakeWebSocket } from '../test/fakeWebSocket';
import { mockFetch, renderPage } from '../test/render';
import JobPage from './JobPage';

const detail = (over: Partial<JobDetail> = {}): JobDetail => ({
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
  ...over,
});

describe('JobPage', () => {
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
});
