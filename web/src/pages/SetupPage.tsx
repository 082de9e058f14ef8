import { minPasswordLength, usernamePattern } from '@shelf/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, ApiError } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { startSession } from '../api/session';
import { ErrorMessage } from '../components/QueryState/QueryState';
import { TextField } from '../components/TextField/TextField';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { fieldErrors } from '../lib/fieldErrors';

const usernameRule = new RegExp(usernamePattern);
const note = 'rounded-md border p-3 text-sm';
const warn = `${note} border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100`;

interface Fields {
  username: string;
  password: string;
  confirm: string;
  email: string;
}

/** What the browser can tell before asking the server, which checks everything again. */
function check(f: Fields): Partial<Record<keyof Fields, string>> {
  const problems: Partial<Record<keyof Fields, string>> = {};
  if (!usernameRule.test(f.username.trim())) problems.username = 'Use 2 to 64 letters, digits and . _ @ -, starting with a letter or digit.';
  if (f.password.length < minPasswordLength) problems.password = `Use at least ${minPasswordLength} characters.`;
  else if (f.confirm !== f.password) problems.confirm = 'The two passwords differ.';
  return problems;
}

/** First start: the link the server printed creates the first admin account and signs it in. */
export default function SetupPage() {
  useDocumentTitle('Set up Shelf');
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const navigate = useNavigate();
  const client = useQueryClient();
  const config = useQuery({ queryKey: queryKeys.authConfig(), queryFn: ({ signal }) => api.authConfig(signal) });
  const [fields, setFields] = useState<Fields>({ username: '', password: '', confirm: '', email: '' });
  const [shown, setShown] = useState<Partial<Record<keyof Fields, string>>>({});

  const setup = useMutation({
    mutationFn: () => api.setup({ token, username: fields.username.trim(), password: fields.password, ...(fields.email.trim() ? { email: fields.email.trim() } : {}) }),
    onSuccess: (me) => {
      startSession(client, me);
      navigate('/', { replace: true });
    },
  });
  const server = fieldErrors(setup.error);
  const linkDead = setup.error instanceof ApiError && setup.error.status === 403;
  const errors = { ...server, ...shown };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problems = check(fields);
    setShown(problems);
    if (Object.keys(problems).length) {
      document.getElementById(`setup-${Object.keys(problems)[0]}`)?.focus();
      return;
    }
    setup.mutate();
  };
  const field = (name: keyof Fields) => ({
    value: fields[name],
    onChange: (e: { target: { value: string } }) => {
      setFields((f) => ({ ...f, [name]: e.target.value }));
      setShown((s) => ({ ...s, [name]: undefined }));
    },
  });

  return (
    <div className="card p-6">
      <h1 className="mb-1 text-xl font-bold tracking-tight">Set up Shelf</h1>
      <p className="muted mb-5 text-sm">Create the first administrator account. You are signed in with it right away.</p>
      {!token ? (
        <p className={warn}>
          This page needs the set-up link the server printed in its log at its first start (
          <span className="font-mono break-all">…/setup?token=…</span>). Open that link, or restart the server to print a new one.
        </p>
      ) : config.data && !config.data.setupPending && !setup.isSuccess ? (
        <p className={warn}>
          Shelf is already set up: an account exists.{' '}
          <Link to="/login" className="link">
            Sign in
          </Link>{' '}
          instead.
        </p>
      ) : (
        <form onSubmit={submit} noValidate className="flex flex-col gap-4">
          {linkDead && (
            <p role="alert" className={`${note} border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100`}>
              This set-up link is no longer valid: it was used already, or the server has printed a newer one. Look in the server&apos;s log for the
              current link, or restart the server to get a new one.
            </p>
          )}
          {setup.isError && !linkDead && !Object.keys(server).length && <ErrorMessage error={setup.error} title="Could not create the account" />}
          <TextField id="setup-username" label="Username" autoComplete="username" required spellCheck={false} autoCapitalize="none" error={errors.username} {...field('username')} />
          <TextField
            id="setup-password"
            label="Password"
            type="password"
            autoComplete="new-password"
            required
            hint={`At least ${minPasswordLength} characters.`}
            error={errors.password}
            {...field('password')}
          />
          <TextField id="setup-confirm" label="Password again" type="password" autoComplete="new-password" required error={errors.confirm} {...field('confirm')} />
          <TextField id="setup-email" label="Email (optional)" type="email" autoComplete="email" error={errors.email} {...field('email')} />
          <button type="submit" className="btn-primary py-2" disabled={setup.isPending}>
            {setup.isPending ? 'Creating the account…' : 'Create the admin account'}
          </button>
        </form>
      )}
    </div>
  );
}
