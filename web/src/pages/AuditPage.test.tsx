// @vitest-environment jsdom
import type { AuditEntry } from '@shelf/contract';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { currentLocation, mockFetch, renderPage, userOf } from '../test/render';
import AuditPage from './AuditPage';

const entry = (id: string, over: Partial<AuditEntry> = {}): AuditEntry => ({
  id,
  ts: '2025-01-01T10:00:00Z',
  actor: 'alice',
  action: 'job.submit',
  target: 'j1',
  outcome: 'ok',
  ip: '127.0.0.1',
  ...over,
});

describe('AuditPage', () => {
  test('keeps the filters and the page in the URL and asks the server for them', async () => {
    const user = userEvent.setup();
    const calls = mockFetch({
      'GET /api/audit': () => ({
        body: { items: [entry('a2', { action: 'auth.login_failed', outcome: 'denied', actor: 'mallory', detail: '401' }), entry('a1')], total: 120, page: 1, pageSize: 50 },
      }),
    });
    renderPage(<AuditPage />, { route: '/admin/audit?outcome=denied', path: '/admin/audit', me: userOf('admin') });
    const rows = await screen.findAllByTestId('audit-row');
    expect(within(rows[0]!).getByText('auth.login_failed')).toBeTruthy();
    expect(within(rows[0]!).getByText('denied')).toBeTruthy();
    expect(calls.at(-1)!.url).toBe('/api/audit?page=1&pageSize=50&outcome=denied');
    expect(screen.getByLabelText<HTMLSelectElement>('Outcome').value).toBe('denied');

    await user.type(screen.getByLabelText('Actor'), 'mallory');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(currentLocation()).toBe('/admin/audit?actor=mallory&outcome=denied'));
    await waitFor(() => expect(calls.at(-1)!.url).toBe('/api/audit?page=1&pageSize=50&actor=mallory&outcome=denied'));

    await user.click(screen.getByRole('button', { name: /Next/ }));
    await waitFor(() => expect(currentLocation()).toBe('/admin/audit?actor=mallory&outcome=denied&page=2'));
    await waitFor(() => expect(calls.at(-1)!.url).toBe('/api/audit?page=2&pageSize=50&actor=mallory&outcome=denied'));

    await user.click(screen.getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(currentLocation()).toBe('/admin/audit'));
    expect(screen.getByLabelText<HTMLInputElement>('Actor').value).toBe('');
  });
});
