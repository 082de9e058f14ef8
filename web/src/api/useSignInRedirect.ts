import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { isPublicPath, loginPath } from '../lib/signIn';
import { ApiError } from './client';

/**
 * The one place that reacts to a 401: any query or mutation answered "not signed in" (no session,
 * or it expired or was revoked) sends the user to the login page, which brings them back here.
 * On the public pages a 401 is expected (the login page asks who is signed in) and ignored.
 */
export function useSignInRedirect(): void {
  const client = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const current = useRef({ location, navigate });
  current.current = { location, navigate };

  useEffect(() => {
    const onError = (error: unknown) => {
      if (!(error instanceof ApiError) || !error.unauthenticated) return;
      const { location: here, navigate: go } = current.current;
      if (isPublicPath(here.pathname)) return;
      go(loginPath(`${here.pathname}${here.search}`), { replace: true });
    };
    const offQueries = client.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') onError(event.action.error);
    });
    const offMutations = client.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') onError(event.action.error);
    });
    return () => {
      offQueries();
      offMutations();
    };
  }, [client]);
}
