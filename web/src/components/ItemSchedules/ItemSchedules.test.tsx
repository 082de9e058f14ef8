// @vitest-environment jsdom
import type { Schedule } from '@shelf/contract';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { alice, mockFetch, renderPage, userOf } from '../../test/render';
import { ItemSchedules } from './ItemSchedules';

const schedule = (over: Partial<Schedule>): Schedule => ({
  id: 's1',
  name: 'Weekday stats',
  itemId: 'csv-stats',
  version: 'latest',
  inputs: {},
  cron: '0 9 * * 1-5',
  timezone: 'UTC',
  enabled: true,
  stoppedReason: null,
  owner: alice,
  createdAt: '2026-01-01T10:00:00Z',
  updatedAt: '2026-01-01T10:00:00Z',
  nextRuns: [new Date(Date.now() + 7_200_000).toISOString()],
  lastRun: null,
  ...over,
});

const items = [
  schedule({ id: 's1', name: 'Weekday stats' }),
  schedule({ id: 's2', name: 'Other item nightly', itemId: 'importer' }),
  schedule({ id: 's3', name: 'Monthly stats', cron: '0 6 1 * *', enabled: false, nextRuns: [], lastRun: { at: '2026-01-01T06:00:00Z', outcome: 'skipped', reason: 'the previous run, job j1, is still RUNNING' } }),
];

const descriptor = (canRun: { allowed: boolean; reason?: string }) => () => ({ body: { canRun } });

describe('ItemSchedules', () => {
  test('lists only this item’s schedules, with their next and last runs, and pauses one', async () => {
    const user = userEvent.setup();
    let current = items;
    const calls = mockFetch({
      'GET /api/schedules': () => ({ body: { items: current } }),
      'GET /api/catalog/csv-stats/1.2.0/descriptor': descriptor({ allowed: true }),
      'PATCH /api/schedules/s1': () => {
        current = current.map((s) => (s.id === 's1' ? { ...s, enabled: false, nextRuns: [] } : s));
        return { body: current[0] };
      },
    });
    renderPage(<ItemSchedules itemId="csv-stats" version="1.2.0" inputs={{ rows: 3 }} />);

    const rows = await screen.findAllByTestId('item-schedule');
    expect(rows.map((r) => r.dataset.scheduleId)).toEqual(['s1', 's3']);
    expect(screen.queryByText('Other item nightly')).toBeNull();
    expect(within(rows[0]!).getByText('in 2 hours')).toBeTruthy();
    expect(within(rows[1]!).getByText('the previous run, job j1, is still RUNNING')).toBeTruthy();

    await user.click(within(rows[0]!).getByRole('button', { name: 'Pause schedule Weekday stats' }));
    await waitFor(() => expect(within(screen.getAllByTestId('item-schedule')[0]!).getByTestId('schedule-status').textContent).toBe('Paused'));
    expect(calls.find((c) => c.init?.method === 'PATCH')!.init!.body).toBe(JSON.stringify({ enabled: false }));
  });

  test('“Schedule these inputs…” opens the form, which schedules the inputs it was given', async () => {
    const user = userEvent.setup();
    const calls = mockFetch({
      'GET /api/schedules': () => ({ body: { items: [] } }),
      'POST /api/schedules': (init) => ({ status: 201, body: { ...schedule({ id: 's9' }), ...JSON.parse(String(init!.body)) } }),
    });
    renderPage(<ItemSchedules itemId="csv-stats" version="1.2.0" inputs={{ rows: 3 }} />);
    expect(await screen.findByText('This item runs on no schedule of yours.')).toBeTruthy();
    const disclosure = screen.getByRole('button', { name: 'Schedule these inputs…' });
    expect(disclosure.getAttribute('aria-expanded')).toBe('false');
    await user.click(disclosure);
    expect(disclosure.getAttribute('aria-expanded')).toBe('true');
    await user.type(screen.getByLabelText('Cron'), '0 9 * * *');
    await user.click(screen.getByRole('button', { name: 'Create schedule' }));
    expect(await screen.findByTestId('schedule-created')).toBeTruthy();
    const post = calls.find((c) => c.init?.method === 'POST')!;
    expect(JSON.parse(String(post.init!.body))).toMatchObject({ itemId: 'csv-stats', inputs: { rows: 3 }, cron: '0 9 * * *' });
  });

  test('shows nothing to those who may not run the item', async () => {
    const calls = mockFetch({ 'GET /api/schedules': () => ({ body: { items } }) });
    const { container, unmount } = renderPage(<ItemSchedules itemId="csv-stats" version="1.2.0" inputs={{}} />, { me: userOf('viewer') });
    expect(container.textContent).toBe('');
    expect(calls).toEqual([]);
    unmount();

    const asked = mockFetch({
      'GET /api/schedules': () => ({ body: { items } }),
      'GET /api/catalog/csv-stats/1.2.0/descriptor': descriptor({ allowed: false, reason: 'only group:data may run it' }),
    });
    renderPage(<ItemSchedules itemId="csv-stats" version="1.2.0" inputs={{}} />);
    await waitFor(() => expect(asked.some((c) => c.url.endsWith('/descriptor'))).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByTestId('item-schedules')).toBeNull();
  });
});
