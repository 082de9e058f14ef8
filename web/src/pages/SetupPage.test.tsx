// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { queryKeys } from '../api/queryKeys';
import { currentLocation, mockFetch, renderPage, userOf } from '../test/render';
import SetupPage from './SetupPage';

const pending = { local: true, oidc: { enabled: false, label: '' }, setupPending: true };

async function fill(password: string, again = password) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Username'), 'root');
  await user.type(screen.getByLabelText('Password'), password);
  await user.type(screen.getByLabelText('Password again'), again);
  await user.click(screen.getByRole('button', { name: 'Create the admin account' }));
}

describe('SetupPage', () => {
  test('creates the first admin with the token of the link, signs in and opens the catalog', async () => {
    const calls = mockFetch({
      'GET /api/auth/config': () => ({ body: pending }),
      'POST /api/auth/setup': () => ({ status: 201, body: userOf('admin', { username: 'root' }) }),
    });
    const { client } = renderPage(<SetupPage />, { route: '/setup?token=tok123', path: '/setup', me: null });
    await fill('twelve chars!', 'twelve chars?');
    expect(screen.getByText('The two passwords differ.')).toBeTruthy();
    expect(calls.filter((c) => c.init?.method === 'POST')).toHaveLength(0);

    await userEvent.setup().type(screen.getByLabelText('Password again'), '{Backspace}!');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Create the admin account' }));
    await waitFor(() => expect(currentLocation()).toBe('/'));
    expect(JSON.parse(String(calls.find((c) => c.init?.method === 'POST')!.init!.body))).toEqual({ token: 'tok123', username: 'root', password: 'twelve chars!' });
    expect(client.getQueryData(queryKeys.me())).toMatchObject({ username: 'root', role: 'admin' });
  });

  test('says where to find a new link when this one is used up', async () => {
    mockFetch({
      'GET /api/auth/config': () => ({ body: pending }),
      'POST /api/auth/setup': () => ({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'this set-up link is not valid' } } }),
    });
    renderPage(<SetupPage />, { route: '/setup?token=old', path: '/setup', me: null });
    await fill('long enough password');
    expect((await screen.findByRole('alert')).textContent).toMatch(/no longer valid.*server's log.*restart the server/);
    expect(currentLocation()).toBe('/setup?token=old');
  });

  test('without a token, explains where the link comes from', () => {
    mockFetch({ 'GET /api/auth/config': () => ({ body: pending }) });
    renderPage(<SetupPage />, { route: '/setup', path: '/setup', me: null });
    expect(screen.getByText(/needs the set-up link the server printed in its log/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Create the admin account' })).toBeNull();
  });
});
