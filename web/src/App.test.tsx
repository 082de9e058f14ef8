// @vitest-environment jsdom
import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { describe, expect, test, vi } from 'vitest';
import { AppRoutes } from './App';
import { JobSocket } from './api/jobSocket';
import { JobEventsProvider } from './api/useJobEvents';
import { asWebSocket } from './test/fakeWebSocket';
import { mockFetch, testQueryClient } from './test/render';

function renderApp(route: string) {
  const socket = new JobSocket('ws://test/ws/jobs', { WebSocket: asWebSocket });
  return render(
    <QueryClientProvider client={testQueryClient()}>
      <JobEventsProvider socket={socket}>
        <MemoryRouter initialEntries={[route]}>
          <AppRoutes />
        </MemoryRouter>
      </JobEventsProvider>
    </QueryClientProvider>,
  );
}

describe('App', () => {
  test('routes between pages, loading the code-split ones on demand', async () => {
    vi.spyOn(window, 'scrollTo').mockImplementation(() => {});
    const user = userEvent.setup();
    mockFetch({
      'GET /api/catalog': () => ({ body: { items: [] } }),
      'GET /api/catalog/imports': () => ({ body: { items: [] } }),
      'GET /api/jobs': () => ({ body: { items: [], total: 0, page: 1, pageSize: 20 } }),
    });
    renderApp('/');
    expect(await screen.findByRole('heading', { level: 1, name: 'Catalog' })).toBeTruthy();
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();

    await user.click(screen.getByRole('link', { name: 'Import' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Import' })).toBeTruthy();
    expect(document.activeElement?.id).toBe('main');

    await user.click(screen.getByRole('link', { name: 'Jobs' }));
    expect(await screen.findByText('No jobs yet.', { exact: false })).toBeTruthy();
  });

  test('answers an unknown path with a not-found page', async () => {
    renderApp('/no/such/page');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeTruthy();
  });

  test('toggles the theme between system, light and dark', async () => {
    const user = userEvent.setup();
    mockFetch({ 'GET /api/catalog': () => ({ body: { items: [] } }) });
    renderApp('/');
    const toggle = screen.getByRole('button', { name: /^Theme: system/ });
    await user.click(toggle);
    expect(document.documentElement.classList.contains('light')).toBe(true);
    await user.click(screen.getByRole('button', { name: /^Theme: light/ }));
    expect(document.documentElement.classList.contains('dark')).toBe(true);
    await user.click(screen.getByRole('button', { name: /^Theme: dark/ }));
    expect(document.documentElement.className).toBe('');
  });
});
