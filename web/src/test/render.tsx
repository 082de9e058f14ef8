import type { Me, Role } from '@shelf/contract';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { afterEach } from 'vitest';
import { JobSocket } from '../api/jobSocket';
import { queryKeys } from '../api/queryKeys';
import { JobEventsProvider } from '../api/useJobEvents';
import { asWebSocket, FakeWebSocket } from './fakeWebSocket';

const realFetch = globalThis.fetch;

// Vitest runs without globals here, so Testing Library cannot register its own cleanup.
afterEach(() => {
  cleanup();
  FakeWebSocket.reset();
  globalThis.fetch = realFetch;
});

export function testQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } } });
}

/** A signed-in user of the given role; job fixtures say `submittedBy: alice` unless a test says otherwise. */
export function userOf(role: Role, over: Partial<Me> = {}): Me {
  return { id: 'u-alice', username: 'alice', role, groups: [], via: 'session', ...over };
}
export const alice = { id: 'u-alice', username: 'alice' };

let lastLocation = '';
/** Records the router's location for `currentLocation()`; renderPage mounts it, other tests may too. */
export function LocationProbe() {
  const location = useLocation();
  lastLocation = `${location.pathname}${location.search}`;
  return null;
}
/** The path and query string the app last navigated to. */
export const currentLocation = () => lastLocation;

/**
 * Renders a page at `route` (matched against `path`) with a query client and a fake job socket.
 * Pages live inside the Layout, which waits for `/api/me`: `me` is what it would have loaded
 * (a runner by default; `null` for nobody signed in).
 */
export function renderPage(
  element: ReactElement,
  { route = '/', path = '/', client = testQueryClient(), me = userOf('runner') as Me | null } = {},
) {
  if (me) client.setQueryData(queryKeys.me(), me);
  const socket = new JobSocket('ws://test/ws/jobs', { WebSocket: asWebSocket, logBatchMs: 0 });
  const result = render(
    <QueryClientProvider client={client}>
      <JobEventsProvider socket={socket}>
        <MemoryRouter initialEntries={[route]}>
          <LocationProbe />
          <Routes>
            <Route path={path} element={element} />
            <Route path="*" element={null} />
          </Routes>
        </MemoryRouter>
      </JobEventsProvider>
    </QueryClientProvider>,
  );
  return { ...result, client, socket };
}

/** Replaces fetch with a router of canned JSON answers; returns the calls made. */
export function mockFetch(routes: Record<string, (init?: RequestInit) => { status?: number; body: unknown; headers?: Record<string, string> }>) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetchMock = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init });
    const key = `${init?.method ?? 'GET'} ${url}`;
    const handler = routes[key] ?? routes[key.split('?')[0]!];
    if (!handler) return new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: `no mock for ${key}` } }), { status: 404 });
    const { status = 200, body, headers } = handler(init);
    // A 204 has no body at all.
    return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
  };
  globalThis.fetch = fetchMock as typeof fetch;
  return calls;
}
