// @vitest-environment jsdom
import type { CatalogItem } from '@shelf/contract';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { mockFetch, renderPage } from '../test/render';
import CatalogPage from './CatalogPage';

const item = (id: string, over: Partial<CatalogItem> = {}): CatalogItem => ({
  id,
  name: id,
  description: `About ${id}`,
  tags: [],
  owner: 'platform',
  latestVersion: '1.0.0',
  versionCount: 1,
  ...over,
});

describe('CatalogPage', () => {
  test('lists items as cards and filters them by search (debounced) and tag', async () => {
    const user = userEvent.setup();
    mockFetch({
      'GET /api/catalog': () => ({
        body: {
          items: [
            item('hello-world', { name: 'Hello World', tags: ['demo'], latestVersion: '1.2.0' }),
            item('csv-stats', { name: 'CSV stats', tags: ['data'], owner: 'data-team' }),
            item('provision-database', { name: 'Request a database', tags: ['data', 'infra'] }),
          ],
        },
      }),
    });
    renderPage(<CatalogPage />);
    const cards = await screen.findAllByRole('listitem');
    expect(cards).toHaveLength(3);
    expect(within(cards[0]!).getByRole('link', { name: 'Hello World' }).getAttribute('href')).toBe('/catalog/hello-world');
    expect(within(cards[0]!).getByText('v1.2.0')).toBeTruthy();

    await user.type(screen.getByLabelText('Search'), 'data-team');
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(1));
    expect(screen.getByText('CSV stats')).toBeTruthy();

    await user.clear(screen.getByLabelText('Search'));
    await user.click(screen.getByRole('button', { name: 'data' }));
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(2));
    expect(screen.getByRole('button', { name: 'data' }).getAttribute('aria-pressed')).toBe('true');
    await user.click(screen.getByRole('button', { name: 'infra' }));
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(1));
    expect(screen.getByTestId('catalog-count').textContent).toBe('1 of 3 items');
  });

  test('shows names and descriptions from manifests as inert text', async () => {
    const evil = '<img src=x onerror="window.pwned=1">';
    mockFetch({ 'GET /api/catalog': () => ({ body: { items: [item('evil', { name: evil, description: evil, tags: ['<b>x</b>'] })] } }) });
    const { container } = renderPage(<CatalogPage />);
    expect(await screen.findByRole('link', { name: evil })).toBeTruthy();
    expect(container.querySelector('img:not([alt=""])')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect((window as { pwned?: number }).pwned).toBeUndefined();
  });

  test('shows the error and retries', async () => {
    const user = userEvent.setup();
    let fail = true;
    mockFetch({
      'GET /api/catalog': () =>
        fail ? { status: 503, body: { error: { code: 'UNAVAILABLE', message: 'Redis is down' } } } : { body: { items: [] } },
    });
    renderPage(<CatalogPage />);
    expect((await screen.findByRole('alert')).textContent).toContain('Redis is down');
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('The catalog is empty.')).toBeTruthy();
  });
});
