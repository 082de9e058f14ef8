// @vitest-environment jsdom
import type { Preset } from '@shelf/contract';
import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test, vi } from 'vitest';
import { mockFetch, testQueryClient, userOf } from '../../test/render';
import { PresetPicker } from './PresetPicker';

const preset = (over: Partial<Preset>): Preset => ({
  id: 'p1',
  itemId: 'db',
  name: 'staging',
  inputs: { name: 'staging_db' },
  shared: false,
  owner: { id: 'u-alice', username: 'alice' },
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  ...over,
});
const list = [
  preset({ id: 'p1', name: 'staging' }),
  preset({ id: 'p2', name: 'team default', shared: true }),
  preset({ id: 'p3', name: 'prod', shared: true, owner: { id: 'u-bob', username: 'bob' } }),
];

function renderPicker(props: Partial<Parameters<typeof PresetPicker>[0]> = {}) {
  const onFill = vi.fn();
  const inputsToSave = vi.fn(() => ({ name: 'mine' }));
  render(
    <QueryClientProvider client={testQueryClient()}>
      <PresetPicker itemId="db" me={userOf('runner')} canSave={{ allowed: true }} inputsToSave={inputsToSave} onFill={onFill} {...props} />
    </QueryClientProvider>,
  );
  return { onFill, inputsToSave };
}

describe('PresetPicker', () => {
  test("lists one's own presets first, then the shared ones with who shared them, and fills the form from one", async () => {
    const user = userEvent.setup();
    mockFetch({ 'GET /api/catalog/db/presets': () => ({ body: { items: list } }) });
    const { onFill } = renderPicker();
    const select = screen.getByLabelText<HTMLSelectElement>('Fill from preset');
    await waitFor(() => expect(within(select).getAllByRole('option')).toHaveLength(4));
    expect(within(select).getByRole('group', { name: 'Yours' }).textContent).toBe('staging' + 'team default (yours, shared)');
    expect(within(select).getByRole('group', { name: "Others'" }).textContent).toBe('prod (shared by bob)');

    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Fill the form' }).disabled).toBe(true);
    await user.selectOptions(select, 'prod (shared by bob)');
    // Not one's own: nothing to delete.
    expect(screen.queryByRole('button', { name: /Delete/ })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Fill the form' }));
    expect(onFill).toHaveBeenCalledWith(list[2]);
    expect(screen.getByRole('status').textContent).toBe('Filled the form from the preset “prod”.');
  });

  test.each([
    [201, 'Saved the preset “nightly”.'],
    [200, 'Replaced your preset “nightly” with these inputs.'],
  ])('saves the inputs as a preset, shared if asked: %i says %s', async (status, message) => {
    const user = userEvent.setup();
    const calls = mockFetch({
      'GET /api/catalog/db/presets': () => ({ body: { items: list } }),
      'POST /api/catalog/db/presets': () => ({ status, body: preset({ id: 'p9', name: 'nightly', shared: true }) }),
    });
    const { inputsToSave } = renderPicker();
    await user.click(screen.getByRole('button', { name: 'Save as preset…' }));
    const name = screen.getByLabelText('Preset name');
    expect(document.activeElement).toBe(name);
    await user.type(name, ' nightly ');
    await user.click(screen.getByLabelText('Share with everyone who can run this item'));
    await user.click(screen.getByRole('button', { name: 'Save preset' }));
    expect(await screen.findByText(message)).toBeTruthy();
    expect(inputsToSave).toHaveBeenCalled();
    const post = calls.find((c) => c.init?.method === 'POST')!;
    expect(JSON.parse(String(post.init!.body))).toEqual({ name: 'nightly', inputs: { name: 'mine' }, shared: true });
    expect(screen.queryByLabelText('Preset name')).toBeNull();
    // The list is asked again.
    await waitFor(() => expect(calls.filter((c) => c.url === '/api/catalog/db/presets' && c.init?.method === 'GET').length).toBe(2));
  });

  test('shows why the server refused the name under the field', async () => {
    const user = userEvent.setup();
    mockFetch({
      'GET /api/catalog/db/presets': () => ({ body: { items: [] } }),
      'POST /api/catalog/db/presets': () => ({
        status: 400,
        body: { error: { code: 'BAD_REQUEST', message: 'invalid request', details: { fields: [{ path: '/name', message: 'at most 80 characters' }] } } },
      }),
    });
    renderPicker();
    await user.click(screen.getByRole('button', { name: 'Save as preset…' }));
    await user.type(screen.getByLabelText('Preset name'), 'x');
    await user.click(screen.getByRole('button', { name: 'Save preset' }));
    expect(await screen.findByText('at most 80 characters')).toBeTruthy();
  });

  test('deletes one of its own presets after asking', async () => {
    const user = userEvent.setup();
    let items = list;
    const calls = mockFetch({
      'GET /api/catalog/db/presets': () => ({ body: { items } }),
      'DELETE /api/catalog/db/presets/p2': () => ((items = list.filter((p) => p.id !== 'p2')), { status: 204, body: null }),
    });
    renderPicker();
    const select = screen.getByLabelText<HTMLSelectElement>('Fill from preset');
    await waitFor(() => expect(within(select).getAllByRole('option')).toHaveLength(4));
    await user.selectOptions(select, 'team default (yours, shared)');
    await user.click(screen.getByRole('button', { name: 'Delete preset team default' }));
    expect(screen.getByRole('group', { name: 'Delete the preset “team default”, which others use too?' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Delete preset' }));
    expect(await screen.findByText('Deleted the preset “team default”.')).toBeTruthy();
    expect(calls.some((c) => c.init?.method === 'DELETE' && c.url === '/api/catalog/db/presets/p2')).toBe(true);
    await waitFor(() => expect(within(select).getAllByRole('option')).toHaveLength(3));
    expect(select.value).toBe('');
  });

  test('offers no saving to those who may not run the item', async () => {
    mockFetch({ 'GET /api/catalog/db/presets': () => ({ body: { items: list } }) });
    renderPicker({ canSave: { allowed: false, reason: 'no' } });
    await waitFor(() => expect(within(screen.getByLabelText('Fill from preset')).getAllByRole('option')).toHaveLength(4));
    expect(screen.queryByRole('button', { name: 'Save as preset…' })).toBeNull();
  });
});
