import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { ApiError } from './api/client';
import type { JobSocket } from './api/jobSocket';
import { JobEventsProvider } from './api/useJobEvents';
import { Layout } from './components/Layout/Layout';
import CatalogPage from './pages/CatalogPage';
import JobsPage from './pages/JobsPage';
import NotFoundPage from './pages/NotFoundPage';

// The form (RJSF + ajv), the import tools and the log viewer load on first visit, keeping the first page light.
const ItemPage = lazy(() => import('./pages/ItemPage'));
const ImportPage = lazy(() => import('./pages/ImportPage'));
const JobPage = lazy(() => import('./pages/JobPage'));

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<CatalogPage />} />
        <Route path="catalog/:id" element={<ItemPage />} />
        <Route path="import" element={<ImportPage />} />
        <Route path="jobs" element={<JobsPage />} />
        <Route path="jobs/:id" element={<JobPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // A 4xx will not change by asking again; network and 5xx errors may.
        retry: (failures, error) => failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      },
    },
  });
}

export function App({ client, socket }: { client: QueryClient; socket?: JobSocket }) {
  return (
    <QueryClientProvider client={client}>
      <JobEventsProvider socket={socket}>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </JobEventsProvider>
    </QueryClientProvider>
  );
}
