import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { ApiError } from './api/client';
import type { JobSocket } from './api/jobSocket';
import { JobEventsProvider } from './api/useJobEvents';
import { useSignInRedirect } from './api/useSignInRedirect';
import { Layout } from './components/Layout/Layout';
import { PublicLayout } from './components/PublicLayout/PublicLayout';
import { RequireRole } from './components/RequireRole/RequireRole';
import CatalogPage from './pages/CatalogPage';
import JobsPage from './pages/JobsPage';
import LoginPage from './pages/LoginPage';
import NotFoundPage from './pages/NotFoundPage';
import SetupPage from './pages/SetupPage';

// The form (RJSF + ajv), the import tools, the log viewer and the account pages load on first visit, keeping the first page light.
const ItemPage = lazy(() => import('./pages/ItemPage'));
const ImportPage = lazy(() => import('./pages/ImportPage'));
const JobPage = lazy(() => import('./pages/JobPage'));
const SettingsPage = lazy(() => import('./pages/SettingsPage'));
const UsersPage = lazy(() => import('./pages/UsersPage'));
const AuditPage = lazy(() => import('./pages/AuditPage'));
const WebhooksPage = lazy(() => import('./pages/WebhooksPage'));
const SecretsPage = lazy(() => import('./pages/SecretsPage'));
const WorkersPage = lazy(() => import('./pages/WorkersPage'));
const ApprovalsPage = lazy(() => import('./pages/ApprovalsPage'));
const SchedulesPage = lazy(() => import('./pages/SchedulesPage'));

export function AppRoutes() {
  useSignInRedirect();
  return (
    <Routes>
      {/* Open without a session: */}
      <Route element={<PublicLayout />}>
        <Route path="login" element={<LoginPage />} />
        <Route path="setup" element={<SetupPage />} />
      </Route>
      {/* Everything else waits for /api/me (the Layout) and goes to /login on a 401: */}
      <Route element={<Layout />}>
        <Route index element={<CatalogPage />} />
        <Route path="catalog/:id" element={<ItemPage />} />
        <Route
          path="import"
          element={
            <RequireRole action="publish" title="Import">
              <ImportPage />
            </RequireRole>
          }
        />
        <Route path="jobs" element={<JobsPage />} />
        <Route path="jobs/:id" element={<JobPage />} />
        <Route path="approvals" element={<ApprovalsPage />} />
        <Route path="schedules" element={<SchedulesPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="admin/users" element={<UsersPage />} />
        <Route path="admin/audit" element={<AuditPage />} />
        <Route path="admin/webhooks" element={<WebhooksPage />} />
        <Route path="admin/secrets" element={<SecretsPage />} />
        <Route path="admin/workers" element={<WorkersPage />} />
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
