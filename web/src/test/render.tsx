import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { afterEach } from 'vitest';
import { JobSocket } from '../api/jobSocket';
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

let lastLocation = '';
function LocationProbe() {
  const location = useLocation();
  lastLocation = `${location.pathname}${location.search}`;
  return null;
}
/** The path and query string the app last navigated to. */
export const currentLocation = () => lastLocation;

/** Renders a page at `route` (matched against `path`) with a query client and a fake job socket. */
export function renderPage(element: ReactElement, { route = '/', path = '/', client = testQueryClient() } = {}) {
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
export function mockFetch(routes: Record<string, (init?: RequestInit) => { status?: number; body: unknown }>) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetchMock = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init });
    const key = `${init?.method ?? 'GET'} ${url}`;
    const handler = routes[key] ?? routes[key.split('?')[0]!];
    if (!handler) return new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: `no mock for ${key}` } }), { status: 404 });
    const { status = 200, body } = handler(init);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  globalThis.fetch = fetchMock as typeof fetch;
  return calls;
}
