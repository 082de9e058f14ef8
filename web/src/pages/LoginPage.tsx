import type { AuthConfig } from '@shelf/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Navigate, useSearchParams } from 'react-router-dom';
import { api, ApiError } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { startSession } from '../api/session';
import { ErrorMessage, Loading } from '../components/QueryState/QueryState';
import { TextField } from '../components/TextField/TextField';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useMe } from '../hooks/useMe';
import { formatWait, sentence } from '../lib/format';
import { safeNext } from '../lib/signIn';

const alertBox = 'rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100';

/** What a refused sign-in says: the server's words for 401, the wait for 429. */
function loginFailure(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.status === 401) return sentence(error.message);
  if (error.status === 429) {
    const wait = error.retryAfterSeconds;
    return `Too many failed sign-ins. ${wait === undefined ? 'Wait a while, then try again.' : `Try again in ${formatWait(wait)}.`}`;
  }
  return undefined;
}

function LocalForm() {
  const client = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const passwordRef = useRef<HTMLInputElement>(null);
  const login = useMutation({
    mutationFn: () => api.login(username.trim(), password),
    // The page follows `me` to `next` once it is set (see LoginPage).
    onSuccess: (me) => startSession(client, me),
    onError: () => {
      setPassword('');
      passwordRef.current?.focus();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  const refused = loginFailure(login.error);
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Sign in with a Shelf account">
      {refused && (
        <p role="alert" className={alertBox}>
          {refused}
        </p>
      )}
      {login.isError && !refused && <ErrorMessage error={login.error} title="Could not sign in" />}
      <TextField
        id="login-username"
        label="Username"
        autoComplete="username"
        required
        autoFocus
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        spellCheck={false}
        autoCapitalize="none"
      />
      <TextField
        ref={passwordRef}
        id="login-password"
        label="Password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <button type="submit" className="btn-primary py-2" disabled={login.isPending || !username.trim() || !password}>
        {login.isPending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

function SignInOptions({ config, next }: { config: AuthConfig; next: string }) {
  if (!config.local && !config.oidc.enabled) {
    return <p className="text-sm">No way of signing in is configured on this server. Ask its administrator.</p>;
  }
  return (
    <div className="flex flex-col gap-5">
      {config.oidc.enabled && (
        // A full page load, not fetch: the provider answers with redirects and its own pages.
        <a href={api.oidcLoginUrl(next)} className="btn-primary py-2">
          Sign in with {config.oidc.label || 'single sign-on'}
        </a>
      )}
      {config.oidc.enabled && config.local && (
        <p className="muted flex items-center gap-3 text-xs uppercase before:h-px before:flex-1 before:bg-slate-300 after:h-px after:flex-1 after:bg-slate-300 dark:before:bg-slate-700 dark:after:bg-slate-700">
          or
        </p>
      )}
      {config.local && <LocalForm />}
    </div>
  );
}

export default function LoginPage() {
  useDocumentTitle('Sign in');
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const providerError = params.get('error');
  const config = useQuery({ queryKey: queryKeys.authConfig(), queryFn: ({ signal }) => api.authConfig(signal) });
  const me = useMe({ fresh: true });

  // Already signed in (another tab, or the form just succeeded): go where the user was headed.
  if (me.isSuccess && me.isFetchedAfterMount) return <Navigate to={next} replace />;

  return (
    <div className="card p-6">
      <h1 className="mb-1 text-xl font-bold tracking-tight">Sign in to Shelf</h1>
      <p className="muted mb-5 text-sm">The self-service catalog: pick an item, fill in its form, run it.</p>
      {providerError && (
        <p role="alert" className={`${alertBox} mb-4`}>
          Single sign-on failed: {providerError}
        </p>
      )}
      {config.isPending ? (
        <Loading label="Loading the sign-in options…" />
      ) : config.isError ? (
        <ErrorMessage error={config.error} title="Could not load the sign-in options" onRetry={() => void config.refetch()} />
      ) : (
        <>
          {config.data.setupPending && (
            <p className="mb-5 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
              Shelf has no administrator yet. The server printed a set-up link (<span className="font-mono break-all">…/setup?token=…</span>)
              in its log when it started: open it to create the first admin account.
            </p>
          )}
          <SignInOptions config={config.data} next={next} />
        </>
      )}
    </div>
  );
}
