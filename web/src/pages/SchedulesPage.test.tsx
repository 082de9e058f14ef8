// @vitest-environment jsdom
import type { Schedule, ScheduleRun } from '@shelf/contract';
import { focusManager } from '@tanstack/react-query';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test, vi } from 'vitest';
import { alice, mockFetch, renderPage, userOf } from '../test/render';
import SchedulesPage from './SchedulesPage';

const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

const schedule = (over: Partial<Schedule> = {}): Schedule => ({
  id: 's1',
  name: 'Weekday stats',
  itemId: 'csv-stats',
  version: 'latest',
  inputs: { rows: 3 },
  cron: '0 9 * * 1-5',
  timezone: 'Europe/Berlin',
  enabled: true,
  stoppedReason: null,
  owner: alice,
  createdAt: '2026-01-01T10:00:00Z',
  updatedAt: '2026-01-01T10:00:00Z',
  nextRuns: [1, 2, 3, 4, 5].map((d) => inHours(d * 24 - 21)),
  lastRun: { at: hoursAgo(2), outcome: 'started', jobId: 'j-last', state: 'SUCCEEDED' },
  ...over,
});

const stopped = schedule({
  id: 's2',
  name: 'Hourly import',
  itemId: 'importer',
  version: '2.0.0',
  cron: '0 * * * *',
  timezone: 'UTC',
  enabled: false,
  stoppedReason: 'its owner bob is disabled',
  owner: { id: 'u-bob', username: 'bob' },
  nextRuns: [],
  lastRun: { at: hoursAgo(1), outcome: 'failed', reason: 'not run: its owner bob is disabled; the schedule is stopped' },
});

const row = (name: string) => screen.getAllByTestId('schedule-row').find((r) => within(r).queryByText(name))!;
const sentBodies = (calls: { url: string; init?: RequestInit }[], method: string, url: string) =>
  calls.filter((c) => c.url === url && c.init?.method === method).map((c) => (c.init?.body ? JSON.parse(String(c.init.body)) : undefined));

describe('SchedulesPage', () => {
  test('lists schedules with their timetable, next run, last run and why one stopped', async () => {
    mockFetch({ 'GET /api/schedules': () => ({ body: { items: [schedule(), stopped] } }) });
    renderPage(<SchedulesPage />, { route: '/schedules', path: '/schedules', me: userOf('admin') });

    const first = await screen.findByText('Weekday stats');
    const weekday = first.closest('tr')!;
    expect(within(weekday).getByRole('link', { name: 'csv-stats' }).getAttribute('href')).toBe('/catalog/csv-stats');
    expect(within(weekday).getByText('0 9 * * 1-5').tagName).toBe('CODE');
    expect(within(weekday).getByText('Europe/Berlin')).toBeTruthy();
    expect(within(weekday).getByTestId('next-run').textContent).toMatch(/^in 3 hours/);
    const last = within(weekday).getByRole('link', { name: 'Job j-last: Succeeded' });
    expect(last.getAttribute('href')).toBe('/jobs/j-last');
    expect(within(last).getByTestId('job-state').textContent).toBe('SUCCEEDED');
    expect(within(weekday).getByTestId('schedule-status').textContent).toBe('Enabled');
    // Admins see whose each schedule is.
    expect(screen.getByRole('columnheader', { name: 'Owner' })).toBeTruthy();
    expect(within(row('Hourly import')).getByText('bob')).toBeTruthy();

    const hourly = row('Hourly import');
    expect(within(hourly).getByTestId('next-run').textContent).toBe('not while paused');
    expect(within(hourly).getByTestId('stopped-reason').textContent).toBe('its owner bob is disabled');
    const outcome = within(hourly).getByTestId('run-outcome');
    expect(outcome.dataset.outcome).toBe('failed');
    // The reason is written out, not only a tooltip.
    expect(within(outcome).getByText('not run: its owner bob is disabled; the schedule is stopped')).toBeTruthy();
    expect(screen.getByTestId('stopped-summary').textContent).toContain('One schedule stopped by itself');
  });

  test('asks again every 15 seconds and when the window regains focus', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const calls = mockFetch({ 'GET /api/schedules': () => ({ body: { items: [schedule()] } }) });
      const lists = () => calls.filter((c) => c.url === '/api/schedules').length;
      renderPage(<SchedulesPage />, { route: '/schedules', path: '/schedules' });
      await screen.findByText('Weekday stats');
      expect(lists()).toBe(1);
      await act(() => vi.advanceTimersByTimeAsync(15_000));
      await waitFor(() => expect(lists()).toBe(2));
      act(() => {
        focusManager.setFocused(false);
        focusManager.setFocused(true);
      });
      await waitFor(() => expect(lists()).toBe(3));
    } finally {
      focusManager.setFocused(undefined);
      vi.useRealTimers();
    }
  });

  test('says how to make one when there are none, and hides the owner column from non-admins', async () => {
    mockFetch({ 'GET /api/schedules': () => ({ body: { items: [] } }) });
    renderPage(<SchedulesPage />, { route: '/schedules', path: '/schedules' });
    expect((await screen.findByTestId('schedules-empty')).textContent).toContain('Schedule these inputs…');
    expect(screen.queryByRole('columnheader', { name: 'Owner' })).toBeNull();
  });

  test('pauses and resumes with PATCH enabled, and the row follows', async () => {
    const user = userEvent.setup();
    let current = schedule();
    const calls = mockFetch({
      'GET /api/schedules': () => ({ body: { items: [current] } }),
      'PATCH /api/schedules/s1': (init) => {
        const { enabled } = JSON.parse(String(init!.body)) as { enabled: boolean };
        current = { ...current, enabled, nextRuns: enabled ? schedule().nextRuns : [] };
        return { body: current };
      },
    });
    renderPage(<SchedulesPage />, { route: '/schedules', path: '/schedules' });

    await user.click(await screen.findByRole('button', { name: 'Pause schedule Weekday stats' }));
    expect(await screen.findByRole('button', { name: 'Resume schedule Weekday stats' })).toBeTruthy();
    expect(within(row('Weekday stats')).getByTestId('schedule-status').textContent).toBe('Paused');
    expect(within(row('Weekday stats')).getByTestId('next-run').textContent).toBe('not while paused');

    await user.click(screen.getByRole('button', { name: 'Resume schedule Weekday stats' }));
    expect(await screen.findByRole('button', { name: 'Pause schedule Weekday stats' })).toBeTruthy();
    expect(sentBodies(calls, 'PATCH', '/api/schedules/s1')).toEqual([{ enabled: false }, { enabled: true }]);
  });

  test('runs a schedule now and links to the job it started', async () => {
    const user = userEvent.setup();
    let current = schedule({ lastRun: null });
    const calls = mockFetch({
      'GET /api/schedules': () => ({ body: { items: [current] } }),
      'POST /api/schedules/s1/run': () => {
        const run: ScheduleRun = { at: new Date().toISOString(), outcome: 'started', jobId: 'j-new', manual: true };
        current = { ...current, lastRun: { ...run, state: 'QUEUED' } };
        return { status: 202, body: run };
      },
    });
    renderPage(<SchedulesPage />, { route: '/schedules', path: '/schedules' });
    expect(within(await screen.findByTestId('last-run')).getByText('never')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Run now: Weekday stats' }));
    const status = await screen.findByRole('status');
    expect(within(status).getByRole('link', { name: 'job j-new' }).getAttribute('href')).toBe('/jobs/j-new');
    expect(sentBodies(calls, 'POST', '/api/schedules/s1/run')).toEqual([undefined]);
    // The list asks again at once: the last run is now the queued job.
    await waitFor(() => expect(within(screen.getByTestId('last-run')).getByRole('link', { name: 'Job j-new: Queued' })).toBeTruthy());
  });

  test('says why "run now" was refused while the previous job is active', async () => {
    const user = userEvent.setup();
    mockFetch({
      'GET /api/schedules': () => ({ body: { items: [schedule()] } }),
      'POST /api/schedules/s1/run': () => ({
        status: 409,
        body: { error: { code: 'CONFLICT', message: 'not run: the previous run, job j-last, is still RUNNING' } },
      }),
    });
    renderPage(<SchedulesPage />, { route: '/schedules', path: '/schedules' });
    await user.click(await screen.findByRole('button', { name: 'Run now: Weekday stats' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Not run: the previous run, job j-last, is still RUNNING.');
  });

  test('deletes a schedule after asking, and it leaves the list', async () => {
    const user = userEvent.setup();
    let items = [schedule(), stopped];
    const calls = mockFetch({
      'GET /api/schedules': () => ({ body: { items } }),
      'DELETE /api/schedules/s2': () => {
        items = items.filter((s) => s.id !== 's2');
        return { status: 204, body: null };
      },
    });
    renderPage(<SchedulesPage />, { route: '/schedules', path: '/schedules' });
    await user.click(await screen.findByRole('button', { name: 'Delete schedule Hourly import' }));
    expect(sentBodies(calls, 'DELETE', '/api/schedules/s2')).toEqual([]);
    await user.click(within(screen.getByRole('group', { name: /Delete this schedule\?/ })).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.queryByText('Hourly import')).toBeNull());
    expect(screen.getAllByTestId('schedule-row')).toHaveLength(1);
    expect(sentBodies(calls, 'DELETE', '/api/schedules/s2')).toEqual([undefined]);
  });

  test('a row opens onto its next five runs and its recent runs, with outcomes, reasons and job links', async () => {
    const user = userEvent.setup();
    const runs: ScheduleRun[] = [
      { at: hoursAgo(1), outcome: 'skipped', reason: 'the previous run, job j-last, is still RUNNING' },
      { at: hoursAgo(2), outcome: 'started', jobId: 'j-last', manual: true },
      { at: hoursAgo(26), outcome: 'failed', reason: 'the inputs no longer pass: /rows must be integer' },
    ];
    mockFetch({
      'GET /api/schedules': () => ({ body: { items: [schedule()] } }),
      'GET /api/schedules/s1/runs': () => ({ body: { items: runs } }),
    });
    renderPage(<SchedulesPage />, { route: '/schedules', path: '/schedules' });
    const toggle = await screen.findByRole('button', { name: 'Runs of Weekday stats' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await user.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');

    expect(within(screen.getByTestId('next-runs')).getAllByRole('listitem')).toHaveLength(5);
    const recent = await screen.findAllByTestId('schedule-run');
    expect(recent).toHaveLength(3);
    expect(within(recent[0]!).getByText('the previous run, job j-last, is still RUNNING')).toBeTruthy();
    expect(within(recent[0]!).getByTestId('run-outcome').dataset.outcome).toBe('skipped');
    expect(within(recent[1]!).getByRole('link', { name: 'Job j-last: started' }).getAttribute('href')).toBe('/jobs/j-last');
    expect(within(recent[1]!).getByText('run now')).toBeTruthy();
    expect(within(recent[2]!).getByText('the inputs no longer pass: /rows must be integer')).toBeTruthy();
  });

  test('a viewer sees their schedules but cannot change them, and is told why', async () => {
    mockFetch({ 'GET /api/schedules': () => ({ body: { items: [schedule()] } }) });
    renderPage(<SchedulesPage />, { route: '/schedules', path: '/schedules', me: userOf('viewer') });
    const pause = await screen.findByRole('button', { name: 'Pause schedule Weekday stats' });
    expect((pause as HTMLButtonElement).disabled).toBe(true);
    expect(pause.getAttribute('title')).toContain('needs the runner role');
    expect((screen.getByRole('button', { name: 'Run now: Weekday stats' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
