import type { Me } from '@shelf/contract';
import { Suspense, useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { useApprovals } from '../../hooks/useApprovals';
import { useMe } from '../../hooks/useMe';
import { can, type RoleAction } from '../../lib/permissions';
import { ConnectionIndicator } from '../ConnectionIndicator/ConnectionIndicator';
import { ErrorMessage, Loading } from '../QueryState/QueryState';
import { ThemeToggle } from '../ThemeToggle/ThemeToggle';
import { UserMenu } from '../UserMenu/UserMenu';

const nav: { to: string; label: string; end: boolean; needs?: RoleAction }[] = [
  { to: '/', label: 'Catalog', end: true },
  { to: '/jobs', label: 'Jobs', end: false },
  // Everyone's own schedules (an admin's: all); a viewer's list is empty unless they were demoted.
  { to: '/schedules', label: 'Schedules', end: false },
  // Approvers are runners at least: a viewer's decision would be refused.
  { to: '/approvals', label: 'Approvals', end: false, needs: 'run' },
  { to: '/import', label: 'Import', end: false, needs: 'publish' },
];

/** How many jobs await the user's decision, next to the Approvals link; nothing when none. */
function ApprovalCount({ count }: { count: number }) {
  if (!count) return null;
  return (
    <span data-testid="approvals-count" className="ml-1.5 inline-flex min-w-5 items-center justify-center rounded-full bg-violet-600 px-1.5 text-xs font-semibold text-white">
      {count}
      <span className="sr-only"> awaiting your decision</span>
    </span>
  );
}

function navClass({ isActive }: { isActive: boolean }): string {
  return `rounded-md px-2.5 py-1.5 text-sm font-medium ${
    isActive
      ? 'bg-indigo-50 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200'
      : 'text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'
  }`;
}

/** After navigating to another page, screen readers start from its content, not from the link just used. */
function useFocusMainOnNavigation() {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [pathname]);
}

const signedOut = (error: unknown) => error instanceof ApiError && error.unauthenticated;

/** The signed-in pages; nothing of them shows before the server said who is signed in. */
function Content({ me, user }: { me: ReturnType<typeof useMe>; user: Me | undefined }) {
  if (!user) {
    if (me.isPending) return <Loading label="Checking who is signed in…" />;
    // A 401 is on its way to the login page (useSignInRedirect); an error box meanwhile would only flash.
    if (signedOut(me.error)) return <Loading label="Going to the sign-in page…" />;
    return <ErrorMessage error={me.error} title="Could not check who is signed in" onRetry={() => void me.refetch()} />;
  }
  return (
    <Suspense fallback={<Loading />}>
      <Outlet />
    </Suspense>
  );
}

function MainNav({ me }: { me: Me }) {
  const approvals = useApprovals({ enabled: can(me, 'run').allowed });
  return (
    <nav aria-label="Main" className="flex items-center gap-1">
      {nav
        .filter((link) => !link.needs || can(me, link.needs).allowed)
        .map((link) => (
          <NavLink key={link.to} to={link.to} end={link.end} className={navClass}>
            {link.label}
            {link.to === '/approvals' && <ApprovalCount count={approvals.data?.length ?? 0} />}
          </NavLink>
        ))}
    </nav>
  );
}

export function Layout() {
  useFocusMainOnNavigation();
  const me = useMe();
  // A refetch that failed for another reason (network) keeps the last answer: the session may well be fine.
  const user = signedOut(me.error) ? undefined : me.data;
  return (
    <div className="flex min-h-screen flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2 dark:focus:bg-slate-900">
        Skip to content
      </a>
      <header className="sticky top-0 z-20 border-b border-slate-200 bg-white/90 backdrop-blur dark:border-slate-800 dark:bg-slate-900/90">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2.5">
          <NavLink to="/" className="flex items-center gap-2 text-lg font-bold tracking-tight">
            <img src="/favicon.svg" alt="" className="size-6" />
            Shelf
          </NavLink>
          {user && <MainNav me={user} />}
          <div className="ml-auto flex items-center gap-2">
            {user && <ConnectionIndicator />}
            <ThemeToggle />
            {user && <UserMenu me={user} />}
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 focus:outline-none">
        <Content me={me} user={user} />
      </main>
    </div>
  );
}
