// @vitest-environment jsdom
import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { describe, expect, test, vi } from 'vitest';
import { AppRoutes } from './App';
import { JobSocket } from './api/jobSocket';
import { JobEventsProvider } from './api/useJobEvents';
import { asWebSocket, FakeWebSocket } from './test/fakeWebSocket';
import { currentLocation, LocationProbe, mockFetch, testQueryClient, userOf } from './test/render';

function renderApp(route: string) {
  const socket = new JobSocket('ws://test/ws/jobs', { WebSocket: asWebSocket });
  return render(
    <QueryClientProvider client={testQueryClient()}>
      <JobEventsProvider socket={socket}>
        <MemoryRouter initialEntries={[route]}>
          <LocationProbe />
          <AppRoutes />
        </MemoryRouter>
      </JobEventsProvider>
    </QueryClientProvider>,
  );
}

const unauthenticated = () => ({ status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'sign in first' } } });
const authConfig = { local: true, oidc: { enabled: false, label: '' }, setupPending: false };

describe('App', () => {
  test('routes between pages, loading the code-split ones on demand', async () => {
    vi.spyOn(window, 'scrollTo').mockImplementation(() => {});
    const user = userEvent.setup();
    mockFetch({
      'GET /api/me': () => ({ body: userOf('publisher') }),
      'GET /api/catalog': () => ({ body: { items: [] } }),
      'GET /api/catalog/imports': () => ({ body: { items: [] } }),
      'GET /api/jobs': () => ({ body: { items: [], total: 0, page: 1, pageSize: 20 } }),
    });
    renderApp('/');
    expect(await screen.findByRole('heading', { level: 1, name: 'Catalog' })).toBeTruthy();
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();

    await user.click(screen.getByRole('link', { name: 'Import' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Import' })).toBeTruthy();
    // The page's code arrives after the navigation; the focus moves with the navigation, so wait for both.
    await waitFor(() => expect(document.activeElement?.id).toBe('main'));

    await user.click(screen.getByRole('link', { name: 'Jobs' }));
    expect(await screen.findByText('No jobs yet.', { exact: false })).toBeTruthy();
  });

  test('answers an unknown path with a not-found page', async () => {
    mockFetch({ 'GET /api/me': () => ({ body: userOf('viewer') }) });
    renderApp('/no/such/page');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeTruthy();
  });

  test('shows nothing of a page before /api/me answers, and opens the live socket only once signed in', async () => {
    let answer: (r: Response) => void = () => {};
    globalThis.fetch = vi.fn((input: RequestInfo | URL) =>
      String(input) === '/api/me' ? new Promise<Response>((resolve) => (answer = resolve)) : Promise.resolve(Response.json({ items: [] })),
    ) as typeof fetch;
    renderApp('/');
    expect(screen.getByRole('status').textContent).toContain('Checking who is signed in');
    expect(screen.queryByRole('heading', { name: 'Catalog' })).toBeNull();
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
    expect(FakeWebSocket.instances).toHaveLength(0);

    answer(Response.json(userOf('runner')));
    expect(await screen.findByRole('heading', { level: 1, name: 'Catalog' })).toBeTruthy();
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  test('a 401 from any call sends the user to the login page, which brings them back after signing in', async () => {
    const user = userEvent.setup();
    let signedIn = false;
    let meCalls = 0;
    mockFetch({
      // The session expires right after the first /api/me: the page's own request is the first to notice.
      'GET /api/me': () => (signedIn || meCalls++ === 0 ? { body: userOf('runner') } : unauthenticated()),
      'GET /api/jobs': () => (signedIn ? { body: { items: [], total: 0, page: 1, pageSize: 20 } } : unauthenticated()),
      'GET /api/auth/config': () => ({ body: authConfig }),
      'POST /api/auth/login': () => {
        signedIn = true;
        return { body: userOf('runner') };
      },
    });
    renderApp('/jobs?state=FAILED');
    await waitFor(() => expect(currentLocation()).toBe(`/login?next=${encodeURIComponent('/jobs?state=FAILED')}`));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in to Shelf' })).toBeTruthy();

    await user.type(await screen.findByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(currentLocation()).toBe('/jobs?state=FAILED'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Jobs' })).toBeTruthy();
  });

  test('toggles the theme between system, light and dark', async () => {
    const user = userEvent.setup();
    mockFetch({ 'GET /api/me': () => ({ body: userOf('viewer') }), 'GET /api/catalog': () => ({ body: { items: [] } }) });
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
