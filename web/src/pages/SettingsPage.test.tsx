// @vitest-environment jsdom
import type { CreatedToken, TokenInfo } from '@shelf/contract';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { alice, mockFetch, renderPage, userOf } from '../test/render';
import SettingsPage from './SettingsPage';

const laptop: TokenInfo = {
  id: 't1',
  name: 'laptop',
  role: 'viewer',
  hint: 'shelf_ab12…',
  owner: alice,
  createdAt: '2025-01-01T10:00:00Z',
  expiresAt: null,
  lastUsedAt: null,
};
const secret = 'shelf_cd34' + 'x'.repeat(40);
const created: CreatedToken = { ...laptop, id: 't2', name: 'ci', role: 'runner', hint: 'shelf_cd34…', expiresAt: '2025-01-31T10:00:00Z', token: secret };

describe('SettingsPage', () => {
  test('shows who is signed in, creates a token whose secret is shown once, and revokes one', async () => {
    const user = userEvent.setup();
    let tokens: TokenInfo[] = [laptop];
    const calls = mockFetch({
      'GET /api/tokens': () => ({ body: { items: tokens } }),
      'POST /api/tokens': () => {
        const { token: _secret, ...info } = created;
        tokens = [...tokens, info];
        return { status: 201, body: created };
      },
      'DELETE /api/tokens/t1': () => {
        tokens = tokens.filter((t) => t.id !== 't1');
        return { status: 204, body: null };
      },
    });
    renderPage(<SettingsPage />, { route: '/settings', path: '/settings', me: userOf('runner', { groups: ['ops', 'dba'] }) });

    const account = screen.getByRole('region', { name: 'Your account' });
    expect(within(account).getByText('alice')).toBeTruthy();
    expect(within(account).getByText('ops, dba')).toBeTruthy();
    expect(await screen.findByText('laptop')).toBeTruthy();

    // A runner's token can be at most a runner.
    const role = screen.getByLabelText<HTMLSelectElement>('Role');
    expect([...role.options].map((o) => o.value)).toEqual(['viewer', 'runner']);
    expect(role.value).toBe('runner');

    await user.type(screen.getByLabelText('Name'), 'ci');
    await user.clear(screen.getByLabelText('Expires after (days)'));
    await user.type(screen.getByLabelText('Expires after (days)'), '30');
    await user.click(screen.getByRole('button', { name: 'Create token' }));

    const shown = await screen.findByLabelText<HTMLInputElement>('The new token');
    expect(shown.value).toBe(secret);
    expect(screen.getByText(/it will not be shown again/)).toBeTruthy();
    expect(JSON.parse(String(calls.find((c) => c.init?.method === 'POST')!.init!.body))).toEqual({ name: 'ci', role: 'runner', expiresInDays: 30 });

    await user.click(screen.getByRole('button', { name: 'Copy' }));
    expect(await navigator.clipboard.readText()).toBe(secret);
    expect(screen.getByText('Copied to the clipboard.')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(screen.getAllByTestId('token-row')).toHaveLength(2));
    expect(screen.queryByLabelText('The new token')).toBeNull();
    expect(document.body.textContent).not.toContain(secret);
    expect(screen.getByText('shelf_cd34…')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Revoke token laptop' }));
    const question = screen.getByRole('group', { name: /Revoke laptop\?/ });
    await user.click(within(question).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(screen.getAllByTestId('token-row')).toHaveLength(1));
    expect(screen.queryByText('laptop')).toBeNull();
    expect(calls.some((c) => c.init?.method === 'DELETE' && c.url === '/api/tokens/t1')).toBe(true);
  });

  test('a token that never expires is sent without an expiry', async () => {
    const user = userEvent.setup();
    const calls = mockFetch({
      'GET /api/tokens': () => ({ body: { items: [] } }),
      'POST /api/tokens': () => ({ status: 201, body: created }),
    });
    renderPage(<SettingsPage />, { route: '/settings', path: '/settings', me: userOf('admin') });
    expect(await screen.findByText('You have no API tokens.')).toBeTruthy();
    await user.type(screen.getByLabelText('Name'), 'backup');
    await user.selectOptions(screen.getByLabelText('Role'), 'viewer');
    await user.click(screen.getByLabelText('Never expires'));
    expect(screen.getByLabelText<HTMLInputElement>('Expires after (days)').disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    await screen.findByLabelText('The new token');
    expect(JSON.parse(String(calls.find((c) => c.init?.method === 'POST')!.init!.body))).toEqual({ name: 'backup', role: 'viewer' });
  });
});
