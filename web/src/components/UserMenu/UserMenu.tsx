import type { Me } from '@shelf/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { api, ApiError } from '../../api/client';
import { endSession } from '../../api/session';
import { can } from '../../lib/permissions';
import { errorText } from '../QueryState/QueryState';
import { RoleBadge } from '../RoleBadge/RoleBadge';

const item = 'block rounded-md px-3 py-1.5 text-sm text-slate-800 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800';

/**
 * Who is signed in, and their account pages. A disclosure (a button that shows a list of links),
 * not an ARIA menu: links and a button are what it holds, and they keep their usual keys.
 */
export function UserMenu({ me }: { me: Me }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const client = useQueryClient();

  useEffect(() => setOpen(false), [pathname]);
  useEffect(() => {
    if (!open) return;
    const onPointer = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const signedOut = () => {
    // Leave the signed-in pages first, so none of them asks the server again once the cache is gone.
    navigate('/login', { replace: true });
    endSession(client);
  };
  const signOut = useMutation({
    mutationFn: api.logout,
    onSuccess: signedOut,
    onError: (error) => {
      if (error instanceof ApiError && error.unauthenticated) signedOut();
    },
  });
  const admin = can(me, 'administer').allowed;

  return (
    <div ref={root} className="relative">
      <button
        ref={button}
        type="button"
        className="btn-secondary"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        data-testid="user-menu-button"
      >
        <span className="max-w-32 truncate">{me.username}</span>
        <RoleBadge role={me.role} />
        <span aria-hidden="true" className="text-xs">
          ▾
        </span>
      </button>
      <div
        id={panelId}
        hidden={!open}
        className="card absolute right-0 z-30 mt-1 w-60 p-2"
      >
        <p className="border-b border-slate-200 px-3 pt-1 pb-2 text-xs dark:border-slate-800">
          <span className="muted">Signed in as</span>{' '}
          <span className="font-semibold break-all">{me.name || me.username}</span>
          {me.email && <span className="muted block break-all">{me.email}</span>}
        </p>
        <nav aria-label="Account" className="py-1">
          <ul>
            <li>
              <Link to="/settings" className={item}>
                Settings and API tokens
              </Link>
            </li>
            {admin && (
              <>
                <li>
                  <Link to="/admin/users" className={item}>
                    Users
                  </Link>
                </li>
                <li>
                  <Link to="/admin/audit" className={item}>
                    Audit log
                  </Link>
                </li>
                <li>
                  <Link to="/admin/webhooks" className={item}>
                    Webhooks
                  </Link>
                </li>
                <li>
                  <Link to="/admin/secrets" className={item}>
                    Secrets
                  </Link>
                </li>
                <li>
                  <Link to="/admin/workers" className={item}>
                    Workers
                  </Link>
                </li>
              </>
            )}
          </ul>
        </nav>
        <div className="border-t border-slate-200 pt-2 dark:border-slate-800">
          <button type="button" className={`${item} w-full text-left`} disabled={signOut.isPending} onClick={() => signOut.mutate()}>
            {signOut.isPending ? 'Signing out…' : 'Sign out'}
          </button>
          {signOut.isError && !(signOut.error instanceof ApiError && signOut.error.unauthenticated) && (
            <p role="alert" className="px-3 pt-1 text-xs text-red-700 dark:text-red-300">
              Could not sign out: {errorText(signOut.error)}
            </p>
          )}
        </div>
      </div>
    </div>
  );
}
