// @vitest-environment jsdom
import type { UserInfo } from '@shelf/contract';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { mockFetch, renderPage, userOf } from '../test/render';
import UsersPage from './UsersPage';

const account = (over: Partial<UserInfo>): UserInfo => ({
  id: 'u-x',
  username: 'x',
  role: 'viewer',
  source: 'local',
  disabled: false,
  createdAt: '2025-01-01T10:00:00Z',
  lastLoginAt: null,
  ...over,
});
const users = [
  account({ id: 'u-alice', username: 'alice', role: 'admin' }),
  account({ id: 'u-bob', username: 'bob', role: 'runner', source: 'oidc', email: 'bob@example.com' }),
  account({ id: 'u-dave', username: 'dave', role: 'viewer' }),
];
const row = (name: string) => screen.getAllByTestId('user-row').find((r) => within(r).queryByText(name))!;

describe('UsersPage', () => {
  test('creates a local account, showing what the server refused under its field', async () => {
    const user = userEvent.setup();
    let attempt = 0;
    const calls = mockFetch({
      'GET /api/users': () => ({ body: { items: users } }),
      'POST /api/users': () =>
        ++attempt === 1
          ? {
              status: 422,
              body: {
                error: {
                  code: 'VALIDATION_FAILED',
                  message: 'the password is too short',
                  details: { problems: [{ file: 'request', path: '/password', message: 'must be at least 12 characters' }] },
                },
              },
            }
          : attempt === 2
            ? { status: 409, body: { error: { code: 'CONFLICT', message: 'username carol exists already' } } }
            : { status: 201, body: { id: 'u-carol', username: 'carol', role: 'publisher' } },
    });
    renderPage(<UsersPage />, { route: '/admin/users', path: '/admin/users', me: userOf('admin') });
    await screen.findAllByTestId('user-row');

    await user.type(screen.getByLabelText('Username'), 'carol');
    await user.type(screen.getByLabelText('Password'), 'short');
    await user.selectOptions(screen.getByLabelText('Role'), 'publisher');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    const password = screen.getByLabelText('Password');
    await waitFor(() => expect(password.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('Must be at least 12 characters.').id).toBe(password.getAttribute('aria-describedby')!.split(' ')[0]);
    expect(screen.getByRole('alert').textContent).toContain('The account was not created');

    await user.clear(password);
    await user.type(password, 'a much longer password');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(screen.getByLabelText('Username').getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('Username carol exists already.')).toBeTruthy();

    await user.clear(screen.getByLabelText('Username'));
    await user.type(screen.getByLabelText('Username'), 'carol');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect((await screen.findByRole('status')).textContent).toContain('Created carol (publisher)');
    expect(JSON.parse(String(calls.filter((c) => c.init?.method === 'POST').at(-1)!.init!.body))).toEqual({
      username: 'carol',
      password: 'a much longer password',
      role: 'publisher',
    });
  });

  test('changes roles and disables local accounts; single sign-on accounts follow their provider', async () => {
    const user = userEvent.setup();
    const patches: unknown[] = [];
    mockFetch({
      'GET /api/users': () => ({ body: { items: users } }),
      'PATCH /api/users/u-dave': (init) => {
        const change = JSON.parse(String(init!.body));
        patches.push(change);
        return { body: { ...users[2], ...change } };
      },
    });
    renderPage(<UsersPage />, { route: '/admin/users', path: '/admin/users', me: userOf('admin') });
    await screen.findAllByTestId('user-row');

    expect(within(row('bob')).getByText(/Follows the provider/)).toBeTruthy();
    expect(within(row('bob')).queryByRole('button', { name: /Reset the password/ })).toBeNull();
    expect(within(row('bob')).queryByLabelText('Role of bob')).toBeNull();

    // Admins cannot lock themselves out.
    expect(screen.getByLabelText<HTMLSelectElement>('Role of alice').disabled).toBe(true);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Disable alice' }).disabled).toBe(true);

    await user.selectOptions(screen.getByLabelText('Role of dave'), 'runner');
    await waitFor(() => expect(screen.getByLabelText<HTMLSelectElement>('Role of dave').value).toBe('runner'));

    await user.click(screen.getByRole('button', { name: 'Disable dave' }));
    await user.click(within(screen.getByRole('group', { name: /Disable dave\?/ })).getByRole('button', { name: 'Disable' }));
    expect(await within(row('dave')).findByText('Disabled')).toBeTruthy();
    expect(within(row('dave')).getByRole('button', { name: 'Enable dave' })).toBeTruthy();
    expect(patches).toEqual([{ role: 'runner' }, { disabled: true }]);
  });

  test('is for admins only', () => {
    mockFetch({});
    renderPage(<UsersPage />, { route: '/admin/users', path: '/admin/users', me: userOf('publisher') });
    expect(screen.getByText('Managing users and reading the audit log needs the admin role; you are a publisher.')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });
});
