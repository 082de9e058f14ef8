// @vitest-environment jsdom
import type { DeliveryAttempt, WebhookInfo } from '@shelf/contract';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { mockFetch, renderPage, userOf } from '../test/render';
import WebhooksPage from './WebhooksPage';

const hook: WebhookInfo = {
  id: 'wh1',
  url: 'https://hooks.example.com/shelf',
  events: ['job.failed', 'job.awaiting_approval'],
  format: 'shelf',
  createdAt: '2026-01-01T10:00:00Z',
  createdBy: { id: 'u-ada', username: 'ada' },
};
const attempt: DeliveryAttempt = {
  delivery: 'd-1',
  event: 'job.failed',
  subject: 'abc123',
  attempt: 2,
  at: '2026-01-01T10:05:00Z',
  durationMs: 42,
  status: 500,
  outcome: 'failed',
  error: 'HTTP 500',
  response: 'oops',
  willRetry: true,
  redeliveryOf: null,
};

describe('WebhooksPage', () => {
  test('lists webhooks, shows a delivery log and redelivers a delivery', async () => {
    const user = userEvent.setup();
    const calls = mockFetch({
      'GET /api/webhooks': () => ({ body: { items: [hook] } }),
      'GET /api/webhooks/wh1/deliveries': () => ({ body: { items: [attempt] } }),
      'POST /api/webhooks/wh1/deliveries/d-1/redeliver': () => ({ status: 202, body: { delivery: 'd-2' } }),
    });
    renderPage(<WebhooksPage />, { route: '/admin/webhooks', path: '/admin/webhooks', me: userOf('admin') });
    const item = await screen.findByTestId('webhook');
    expect(within(item).getByText(hook.url)).toBeTruthy();
    await user.click(within(item).getByRole('button', { name: 'Deliveries' }));
    const row = await screen.findByTestId('delivery-row');
    expect(within(row).getByText(/500 failed/)).toBeTruthy();
    expect(within(row).getByText('will be tried again')).toBeTruthy();
    await user.click(within(row).getByRole('button', { name: 'Redeliver job.failed delivery d-1' }));
    await waitFor(() => expect(calls.some((c) => c.url === '/api/webhooks/wh1/deliveries/d-1/redeliver' && c.init?.method === 'POST')).toBe(true));
  });

  test('adds a webhook with the chosen events and shows its secret once', async () => {
    const user = userEvent.setup();
    const calls = mockFetch({
      'GET /api/webhooks': () => ({ body: { items: [] } }),
      'POST /api/webhooks': (init) => ({ status: 201, body: { ...hook, id: 'wh2', ...JSON.parse(String(init!.body)), secret: 'whsec_once' } }),
    });
    renderPage(<WebhooksPage />, { route: '/admin/webhooks', path: '/admin/webhooks', me: userOf('admin') });
    expect(await screen.findByText('No webhooks yet.')).toBeTruthy();
    await user.type(screen.getByLabelText('URL'), 'https://hooks.example.com/new');
    await user.click(screen.getByLabelText('item.published'));
    await user.click(screen.getByRole('button', { name: 'Add webhook' }));
    expect((await screen.findByTestId<HTMLInputElement>('new-webhook-secret')).value).toBe('whsec_once');
    const sent = JSON.parse(String(calls.find((c) => c.init?.method === 'POST')!.init!.body));
    expect(sent).toMatchObject({ url: 'https://hooks.example.com/new', format: 'shelf' });
    expect(sent.events).not.toContain('item.published');
    expect(sent.events).toContain('job.failed');
    await user.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByTestId('new-webhook-secret')).toBeNull();
  });

  test('is for admins only: others get the reason, and nothing is asked of the API', async () => {
    const calls = mockFetch({});
    renderPage(<WebhooksPage />, { route: '/admin/webhooks', path: '/admin/webhooks', me: userOf('runner') });
    expect(await screen.findByText(/An administrator can change your role/)).toBeTruthy();
    expect(calls.filter((c) => c.url.startsWith('/api/webhooks'))).toEqual([]);
  });
});
