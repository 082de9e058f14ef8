// @vitest-environment jsdom
import type { CatalogItem, NamedSecret } from '@shelf/contract';
import type { QueryClient } from '@tanstack/react-query';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { mockFetch, renderPage, userOf } from '../test/render';
import SecretsPage from './SecretsPage';

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
const secret = (over: Partial<NamedSecret> = {}): NamedSecret => ({
  name: 'DB_ADMIN_PASSWORD',
  description: 'Superuser of the orders database',
  items: ['provision-database'],
  createdAt: minutesAgo(60 * 24 * 3),
  createdBy: 'ada',
  updatedAt: minutesAgo(5),
  updatedBy: 'bob',
  rotatedAt: minutesAgo(60 * 24 * 2),
  rotatedBy: 'ada',
  ...over,
});
const item = (id: string, name: string): CatalogItem => ({ id, name, description: '', tags: [], owner: 'platform', latestVersion: '1.0.0', versionCount: 1 });
const catalog = { items: [item('provision-database', 'Provision a database'), item('hello-world', 'Hello World')] };

const bodyOf = (init?: RequestInit) => JSON.parse(String(init!.body));
/** Everything the query client still holds about mutations, closures aside. */
const mutations = (client: QueryClient) => JSON.stringify(client.getMutationCache().getAll().map((m) => m.state));
const renderSecrets = () => renderPage(<SecretsPage />, { route: '/admin/secrets', path: '/admin/secrets', me: userOf('admin') });

describe('SecretsPage', () => {
  test('lists the named secrets: name, description, the items that may use them as links, who rotated and changed them', async () => {
    mockFetch({ 'GET /api/secrets': () => ({ body: { items: [secret(), secret({ name: 'API_KEY', description: '', items: [] })] } }) });
    renderSecrets();
    const [first, second] = await screen.findAllByTestId('secret-row');
    expect(within(first!).getByText('DB_ADMIN_PASSWORD').className).toContain('font-mono');
    expect(within(first!).getByText('Superuser of the orders database')).toBeTruthy();
    expect(within(first!).getByRole('link', { name: 'provision-database' }).getAttribute('href')).toBe('/catalog/provision-database');
    expect(first!.textContent).toMatch(/rotated by ada, 2 days ago/);
    expect(first!.textContent).toMatch(/changed by bob, 5 minutes ago/);
    expect(within(second!).getByText('No item yet')).toBeTruthy();
  });

  test('shows an empty list and a failed load like the other pages', async () => {
    let fail = true;
    mockFetch({
      'GET /api/secrets': () => (fail ? { status: 500, body: { error: { code: 'INTERNAL', message: 'redis is down' } } } : { body: { items: [] } }),
      'GET /api/catalog': () => ({ body: catalog }),
    });
    renderSecrets();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('redis is down');
    fail = false;
    await userEvent.setup().click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No secrets yet.')).toBeTruthy();
  });

  test('creates a secret after checking its name and value, sends the chosen items, then empties the value', async () => {
    const user = userEvent.setup();
    const calls = mockFetch({
      'GET /api/secrets': () => ({ body: { items: [] } }),
      'GET /api/catalog': () => ({ body: catalog }),
      'POST /api/secrets': (init) => ({ status: 201, body: secret({ ...bodyOf(init), value: undefined }) }),
    });
    const { client } = renderSecrets();
    expect(await screen.findByText('No secrets yet.')).toBeTruthy();
    const value = screen.getByLabelText<HTMLInputElement>('Value');
    expect(value.type).toBe('password');
    expect(value.getAttribute('autocomplete')).toBe('new-password');

    await user.type(screen.getByLabelText('Name'), 'db-password');
    await user.type(value, 'abc');
    await user.click(screen.getByRole('button', { name: 'Add secret' }));
    expect(await screen.findByText(/Use 2 to 64 uppercase letters, digits and underscores/)).toBeTruthy();
    expect(screen.getByText(/A secret must be at least 4 characters/)).toBeTruthy();
    expect(calls.some((c) => c.init?.method === 'POST')).toBe(false);

    await user.clear(screen.getByLabelText('Name'));
    await user.type(screen.getByLabelText('Name'), 'DB_ADMIN_PASSWORD');
    await user.type(value, 'defg-hij');
    await user.click(screen.getByRole('button', { name: 'Show' }));
    expect(value.type).toBe('text');
    await user.type(screen.getByLabelText('Description (optional)'), 'Superuser of the orders database');
    await user.click(await screen.findByRole('checkbox', { name: /provision-database/ }));
    await user.click(screen.getByRole('button', { name: 'Add secret' }));

    expect((await screen.findByRole('status')).textContent).toBe('Secret DB_ADMIN_PASSWORD created.');
    const post = calls.find((c) => c.init?.method === 'POST')!;
    expect(post.url).toBe('/api/secrets');
    expect(bodyOf(post.init)).toEqual({ name: 'DB_ADMIN_PASSWORD', value: 'abcdefg-hij', items: ['provision-database'], description: 'Superuser of the orders database' });
    expect(value.value).toBe('');
    expect(screen.getByLabelText<HTMLInputElement>('Name').value).toBe('');
    expect(document.body.textContent).not.toContain('abcdefg-hij');
    expect(mutations(client)).not.toContain('abcdefg-hij');
    await waitFor(() => expect(client.getMutationCache().getAll()).toEqual([]));
  });

  test('shows a taken name and the server’s field problems next to their fields, keeping the value to try again', async () => {
    const user = userEvent.setup();
    let answer: { status: number; body: unknown } = { status: 409, body: { error: { code: 'CONFLICT', message: 'a secret named API_KEY exists already' } } };
    mockFetch({
      'GET /api/secrets': () => ({ body: { items: [] } }),
      'GET /api/catalog': () => ({ body: catalog }),
      'POST /api/secrets': () => answer,
    });
    renderSecrets();
    await user.type(await screen.findByLabelText('Name'), 'API_KEY');
    await user.type(screen.getByLabelText('Value'), 'k-123456');
    await user.click(screen.getByRole('button', { name: 'Add secret' }));
    expect(await screen.findByText('A secret named API_KEY exists already.')).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>('Value').value).toBe('k-123456');

    const problems = [{ path: '/items/0', message: 'no catalog item nope' }];
    answer = { status: 422, body: { error: { code: 'VALIDATION', message: 'invalid secret', details: { problems } } } };
    await user.click(screen.getByRole('button', { name: 'Add secret' }));
    expect(await screen.findByText('No catalog item nope.')).toBeTruthy();
  });

  test('rotates a secret: PATCH with the new value only, then the field is gone and a message says so', async () => {
    const user = userEvent.setup();
    const calls = mockFetch({
      'GET /api/secrets': () => ({ body: { items: [secret()] } }),
      'PATCH /api/secrets/DB_ADMIN_PASSWORD': () => ({ body: secret({ rotatedBy: 'alice', rotatedAt: new Date().toISOString() }) }),
    });
    const { client } = renderSecrets();
    const row = await screen.findByTestId('secret-row');
    await user.click(within(row).getByRole('button', { name: 'Rotate DB_ADMIN_PASSWORD' }));
    const field = within(row).getByLabelText<HTMLInputElement>('New value for DB_ADMIN_PASSWORD');
    expect(field.type).toBe('password');
    await user.type(field, 'n3w-value');
    await user.click(within(row).getByRole('button', { name: 'Rotate' }));

    expect((await screen.findByRole('status')).textContent).toBe('Secret DB_ADMIN_PASSWORD rotated.');
    const patch = calls.find((c) => c.init?.method === 'PATCH')!;
    expect(patch.url).toBe('/api/secrets/DB_ADMIN_PASSWORD');
    expect(bodyOf(patch.init)).toEqual({ value: 'n3w-value' });
    expect(screen.queryByLabelText('New value for DB_ADMIN_PASSWORD')).toBeNull();
    expect(document.body.textContent).not.toContain('n3w-value');
    expect(mutations(client)).not.toContain('n3w-value');
    await waitFor(() => expect(client.getMutationCache().getAll()).toEqual([]));
  });

  test('changes the items that may use a secret with PATCH {items}', async () => {
    const user = userEvent.setup();
    const calls = mockFetch({
      'GET /api/secrets': () => ({ body: { items: [secret()] } }),
      'GET /api/catalog': () => ({ body: catalog }),
      'PATCH /api/secrets/DB_ADMIN_PASSWORD': (init) => ({ body: secret(bodyOf(init)) }),
    });
    renderSecrets();
    const row = await screen.findByTestId('secret-row');
    await user.click(within(row).getByRole('button', { name: 'Edit items of DB_ADMIN_PASSWORD' }));
    const current = await within(row).findByRole<HTMLInputElement>('checkbox', { name: /provision-database/ });
    expect(current.checked).toBe(true);
    await user.click(within(row).getByRole('checkbox', { name: /hello-world/ }));
    await user.click(within(row).getByRole('button', { name: 'Save items' }));

    expect((await screen.findByRole('status')).textContent).toBe('Secret DB_ADMIN_PASSWORD may now be used by provision-database, hello-world.');
    const patch = calls.find((c) => c.init?.method === 'PATCH')!;
    expect(bodyOf(patch.init)).toEqual({ items: ['provision-database', 'hello-world'] });
  });

  test('deletes a secret after asking', async () => {
    const user = userEvent.setup();
    let listed = [secret()];
    const calls = mockFetch({
      'GET /api/secrets': () => ({ body: { items: listed } }),
      'DELETE /api/secrets/DB_ADMIN_PASSWORD': () => {
        listed = [];
        return { status: 204, body: null };
      },
    });
    renderSecrets();
    const row = await screen.findByTestId('secret-row');
    await user.click(within(row).getByRole('button', { name: 'Delete secret DB_ADMIN_PASSWORD' }));
    await user.click(within(row).getByRole('button', { name: 'Delete' }));
    expect((await screen.findByRole('status')).textContent).toBe('Secret DB_ADMIN_PASSWORD deleted.');
    expect(calls.some((c) => c.url === '/api/secrets/DB_ADMIN_PASSWORD' && c.init?.method === 'DELETE')).toBe(true);
    expect(await screen.findByText('No secrets yet.')).toBeTruthy();
  });

  test('is for admins only: others get the reason, and nothing is asked of the API', async () => {
    const calls = mockFetch({});
    renderPage(<SecretsPage />, { route: '/admin/secrets', path: '/admin/secrets', me: userOf('publisher') });
    expect(await screen.findByText(/An administrator can change your role/)).toBeTruthy();
    expect(calls.filter((c) => c.url.startsWith('/api/secrets'))).toEqual([]);
  });
});
