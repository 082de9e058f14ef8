// @vitest-environment jsdom
import type { Role } from '@shelf/contract';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { queryKeys } from '../../api/queryKeys';
import { currentLocation, mockFetch, renderPage, userOf } from '../../test/render';
import { Layout } from './Layout';

function renderLayout(role: Role, approvals: unknown[] = []) {
  mockFetch({ 'POST /api/auth/logout': () => ({ status: 204, body: null }), 'GET /api/approvals': () => ({ body: { items: approvals } }) });
  return renderPage(<Layout />, { route: '/jobs', path: '/jobs', me: userOf(role) });
}

const navLinks = () => within(screen.getByRole('navigation', { name: 'Main' })).getAllByRole('link').map((a) => a.textContent);

async function openUserMenu() {
  const user = userEvent.setup();
  await user.click(screen.getByTestId('user-menu-button'));
  return { user, menu: screen.getByRole('navigation', { name: 'Account' }) };
}

describe('Layout', () => {
  test.each<[Role, string[], string[]]>([
    ['viewer', ['Catalog', 'Jobs', 'Schedules'], ['Settings and API tokens']],
    ['runner', ['Catalog', 'Jobs', 'Schedules', 'Approvals'], ['Settings and API tokens']],
    ['publisher', ['Catalog', 'Jobs', 'Schedules', 'Approvals', 'Import'], ['Settings and API tokens']],
    ['admin', ['Catalog', 'Jobs', 'Schedules', 'Approvals', 'Import'], ['Settings and API tokens', 'Users', 'Audit log', 'Webhooks', 'Secrets', 'Workers']],
  ])('a %s sees the pages of their role', async (role, nav, account) => {
    renderLayout(role);
    expect(navLinks()).toEqual(nav);
    const button = screen.getByTestId('user-menu-button');
    expect(button.textContent).toContain('alice');
    expect(within(button).getByTestId('role-badge').textContent).toBe(role);
    expect(button.getAttribute('aria-expanded')).toBe('false');

    const { menu } = await openUserMenu();
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(within(menu).getAllByRole('link').map((a) => a.textContent)).toEqual(account);
  });

  test('counts the jobs awaiting the user’s decision next to Approvals', async () => {
    renderLayout('runner', [{ id: 'j1' }, { id: 'j2' }]);
    expect((await screen.findByTestId('approvals-count')).textContent).toBe('2 awaiting your decision');
  });

  test('Escape closes the user menu and returns focus to its button', async () => {
    renderLayout('runner');
    const { user } = await openUserMenu();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('navigation', { name: 'Account' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId('user-menu-button'));
  });

  test('signing out ends the session, forgets what was cached and goes to the login page', async () => {
    const { client } = renderLayout('admin');
    client.setQueryData(queryKeys.tokens(), []);
    const { user } = await openUserMenu();
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(currentLocation()).toBe('/login'));
    expect(client.getQueryData(queryKeys.me())).toBeUndefined();
    expect(client.getQueryData(queryKeys.tokens())).toBeUndefined();
  });
});
