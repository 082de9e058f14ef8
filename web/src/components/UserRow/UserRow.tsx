import { minPasswordLength, roles, type Role, type UserInfo } from '@shelf/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, type UserChange } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { fieldErrors } from '../../lib/fieldErrors';
import { formatDateTime, sentence } from '../../lib/format';
import { ConfirmButton } from '../ConfirmButton/ConfirmButton';
import { errorText } from '../QueryState/QueryState';
import { RoleBadge } from '../RoleBadge/RoleBadge';

const td = 'px-3 py-2 align-top';
const selfReason = 'You cannot change this for your own account; another admin can.';

function PasswordReset({ user, onClose }: { user: UserInfo; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const id = `reset-${user.id}`;
  const reset = useMutation({ mutationFn: () => api.updateUser(user.id, { password }), onSuccess: () => setPassword('') });
  const problem = fieldErrors(reset.error).password;
  const tooShort = password.length > 0 && password.length < minPasswordLength;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!tooShort) reset.mutate();
  };
  return (
    <form onSubmit={submit} className="mt-2 flex flex-col gap-1" aria-label={`New password for ${user.username}`}>
      <label htmlFor={id} className="text-xs font-medium">
        New password for {user.username}
      </label>
      <div className="flex flex-wrap gap-2">
        <input
          id={id}
          type="password"
          autoComplete="new-password"
          className="input w-52 py-1"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={tooShort || problem ? true : undefined}
          aria-describedby={`${id}-note`}
        />
        <button type="submit" className="btn-primary px-2 py-1 text-xs" disabled={reset.isPending || !password || tooShort}>
          {reset.isPending ? 'Saving…' : 'Set password'}
        </button>
        <button type="button" className="btn-secondary px-2 py-1 text-xs" onClick={onClose}>
          Close
        </button>
      </div>
      <p id={`${id}-note`} role={reset.isError || reset.isSuccess ? 'status' : undefined} className="text-xs">
        {problem ? (
          <span className="text-red-700 dark:text-red-400">{sentence(problem)}</span>
        ) : reset.isError ? (
          <span className="text-red-700 dark:text-red-400">{errorText(reset.error)}</span>
        ) : reset.isSuccess ? (
          'Password changed; their sessions have ended.'
        ) : (
          <span className="muted">At least {minPasswordLength} characters.</span>
        )}
      </p>
    </form>
  );
}

/** One account: role, enabled or not, and (local accounts only) a new password. */
export function UserRow({ user, self }: { user: UserInfo; self: boolean }) {
  const client = useQueryClient();
  const [resetting, setResetting] = useState(false);
  const update = useMutation({
    mutationFn: (change: UserChange) => api.updateUser(user.id, change),
    onSuccess: (updated) => {
      client.setQueryData<UserInfo[]>(queryKeys.users(), (list) => list?.map((u) => (u.id === updated.id ? updated : u)));
    },
  });
  const oidc = user.source === 'oidc';
  const selfNoteId = `self-note-${user.id}`;

  return (
    <tr data-testid="user-row" className="border-b border-slate-100 last:border-0 dark:border-slate-800">
      <td className={td}>
        <span className="font-medium break-all">{user.username}</span>
        {self && <span className="muted ml-1 text-xs">(you)</span>}
        {self && (
          <span id={selfNoteId} className="sr-only">
            {selfReason}
          </span>
        )}
        {(user.name || user.email) && <span className="muted block text-xs break-all">{[user.name, user.email].filter(Boolean).join(' · ')}</span>}
      </td>
      <td className={td}>{oidc ? 'Single sign-on' : 'Local'}</td>
      <td className={td}>
        {oidc ? (
          <>
            <RoleBadge role={user.role} />
            <span className="muted mt-1 block max-w-48 text-xs">Follows the provider&apos;s groups at each sign-in.</span>
          </>
        ) : (
          <>
            <label htmlFor={`role-${user.id}`} className="sr-only">
              Role of {user.username}
            </label>
            <select
              id={`role-${user.id}`}
              className="input w-32 py-1"
              value={user.role}
              disabled={self || update.isPending}
              title={self ? selfReason : undefined}
              aria-describedby={self ? selfNoteId : undefined}
              onChange={(e) => update.mutate({ role: e.target.value as Role })}
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </>
        )}
      </td>
      <td className={td}>
        {user.disabled ? <span className="font-medium text-red-700 dark:text-red-400">Disabled</span> : 'Active'}
      </td>
      <td className={`${td} muted whitespace-nowrap`}>{user.lastLoginAt ? formatDateTime(user.lastLoginAt) : 'never'}</td>
      <td className={td}>
        <div className="flex flex-wrap items-start gap-2">
          {user.disabled ? (
            <button type="button" className="btn-secondary px-2 py-1 text-xs" disabled={update.isPending} onClick={() => update.mutate({ disabled: false })} aria-label={`Enable ${user.username}`}>
              Enable
            </button>
          ) : self ? (
            <button type="button" className="btn-danger px-2 py-1 text-xs" disabled title={selfReason} aria-label={`Disable ${user.username}`} aria-describedby={selfNoteId}>
              Disable
            </button>
          ) : (
            <ConfirmButton
              label="Disable"
              name={`Disable ${user.username}`}
              question={`Disable ${user.username}? Their sessions and tokens stop working at once.`}
              confirmLabel="Disable"
              pending={update.isPending && update.variables?.disabled === true}
              pendingLabel="Disabling…"
              onConfirm={() => update.mutate({ disabled: true })}
            />
          )}
          {!oidc && !resetting && (
            <button type="button" className="btn-secondary px-2 py-1 text-xs" onClick={() => setResetting(true)} aria-label={`Reset the password of ${user.username}`}>
              Reset password
            </button>
          )}
        </div>
        {update.isError && (
          <p role="alert" className="mt-1 text-xs text-red-700 dark:text-red-300">
            {errorText(update.error)}
          </p>
        )}
        {resetting && <PasswordReset user={user} onClose={() => setResetting(false)} />}
      </td>
    </tr>
  );
}
