import { minPasswordLength, roles, type Role } from '@shelf/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { fieldErrors } from '../../lib/fieldErrors';
import { sentence } from '../../lib/format';
import { ErrorMessage } from '../QueryState/QueryState';
import { TextField } from '../TextField/TextField';

const empty = { username: '', password: '', role: 'runner' as Role, email: '', name: '' };

/** Field messages of a refused creation; a 409 is about the username. */
function problemsOf(error: unknown): Record<string, string> {
  if (error instanceof ApiError && error.status === 409) return { username: sentence(error.message) };
  return Object.fromEntries(Object.entries(fieldErrors(error)).map(([field, message]) => [field, sentence(message)]));
}

/** Creates a local account (OIDC users appear by themselves at their first sign-in). */
export function CreateUser() {
  const client = useQueryClient();
  const [form, setForm] = useState(empty);
  const create = useMutation({
    mutationFn: () =>
      api.createUser({
        username: form.username.trim(),
        password: form.password,
        role: form.role,
        // The server refuses an empty email or name; leaving them out means "none".
        ...(form.email.trim() ? { email: form.email.trim() } : {}),
        ...(form.name.trim() ? { name: form.name.trim() } : {}),
      }),
    onSuccess: () => {
      setForm(empty);
      void client.invalidateQueries({ queryKey: queryKeys.users() });
    },
  });
  const errors = problemsOf(create.error);
  const set = (field: keyof typeof empty) => (e: { target: { value: string } }) => {
    setForm((f) => ({ ...f, [field]: e.target.value }));
    // A refusal was about the values as they were; once they change it no longer applies.
    if (create.isError) create.reset();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };

  return (
    <form onSubmit={submit} aria-labelledby="create-user-heading" className="card flex flex-col gap-4 p-5">
      <h2 id="create-user-heading" className="text-lg font-semibold">
        Add a local account
      </h2>
      {create.isSuccess && (
        <p role="status" className="rounded-md border border-green-300 bg-green-50 p-3 text-sm text-green-900 dark:border-green-800 dark:bg-green-950 dark:text-green-100">
          Created {create.data.username} ({create.data.role}). Give them their password over a safe channel.
        </p>
      )}
      {create.isError && !Object.keys(errors).length && <ErrorMessage error={create.error} title="Could not create the account" />}
      {Object.keys(errors).length > 0 && (
        <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-400">
          The account was not created; see the fields below.
        </p>
      )}
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <TextField id="new-user-username" label="Username" required autoComplete="off" spellCheck={false} value={form.username} onChange={set('username')} error={errors.username} />
        <TextField
          id="new-user-password"
          label="Password"
          type="password"
          required
          autoComplete="new-password"
          hint={`At least ${minPasswordLength} characters.`}
          value={form.password}
          onChange={set('password')}
          error={errors.password}
        />
        <div>
          <label htmlFor="new-user-role" className="label">
            Role
          </label>
          <select id="new-user-role" className="input" value={form.role} onChange={set('role')}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <TextField id="new-user-email" label="Email (optional)" type="email" autoComplete="off" value={form.email} onChange={set('email')} error={errors.email} />
        <TextField id="new-user-name" label="Full name (optional)" autoComplete="off" value={form.name} onChange={set('name')} error={errors.name} />
      </div>
      <div>
        <button type="submit" className="btn-primary" disabled={create.isPending || !form.username.trim() || !form.password}>
          {create.isPending ? 'Creating…' : 'Create account'}
        </button>
      </div>
    </form>
  );
}
