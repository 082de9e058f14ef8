import type { Role } from '@shelf/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { fieldErrors } from '../../lib/fieldErrors';
import { assignableRoles } from '../../lib/permissions';
import { ErrorMessage } from '../QueryState/QueryState';
import { SecretOnce } from '../SecretOnce/SecretOnce';
import { TextField } from '../TextField/TextField';

const defaultDays = 90;

/** Creates an API token with at most the creator's role; the answer carries the secret once. */
export function CreateToken({ myRole }: { myRole: Role }) {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(myRole);
  const [days, setDays] = useState(String(defaultDays));
  const [never, setNever] = useState(false);
  const create = useMutation({
    // The answer holds the secret: drop it from the mutation cache as soon as nobody shows it.
    gcTime: 0,
    mutationFn: () => api.createToken({ name: name.trim(), role, ...(never ? {} : { expiresInDays: Number(days) }) }),
    onSuccess: () => {
      setName('');
      void client.invalidateQueries({ queryKey: queryKeys.tokens() });
    },
  });
  const errors = fieldErrors(create.error);

  if (create.data) {
    return (
      <SecretOnce
        id="new-token"
        heading={`Token ${create.data.name} created`}
        warning="Copy it now: it will not be shown again. Shelf keeps only a hash of it."
        label="The new token"
        secret={create.data.token}
        testId="new-token-secret"
        onDone={() => create.reset()}
      >
        Send it as <span className="font-mono">Authorization: Bearer &lt;token&gt;</span>.
      </SecretOnce>
    );
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} aria-labelledby="create-token-heading" className="card flex flex-col gap-4 p-5">
      <h3 id="create-token-heading" className="font-semibold">
        Create a token
      </h3>
      {create.isError && !Object.keys(errors).length && <ErrorMessage error={create.error} title="Could not create the token" />}
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <TextField
          id="token-name"
          label="Name"
          required
          maxLength={100}
          placeholder="ci-pipeline"
          hint="What uses it, so you recognise it later."
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
        />
        <div>
          <label htmlFor="token-role" className="label">
            Role
          </label>
          <select id="token-role" className="input" value={role} onChange={(e) => setRole(e.target.value as Role)} aria-describedby="token-role-hint">
            {assignableRoles(myRole).map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <p id="token-role-hint" className="muted mt-1 text-xs">
            At most your own role ({myRole}).
          </p>
        </div>
        <div>
          <TextField
            id="token-days"
            label="Expires after (days)"
            type="number"
            min={1}
            max={3650}
            required={!never}
            disabled={never}
            value={days}
            onChange={(e) => setDays(e.target.value)}
            error={errors.expiresInDays}
          />
          <label className="mt-2 flex items-center gap-2 text-sm">
            <input type="checkbox" checked={never} onChange={(e) => setNever(e.target.checked)} />
            Never expires
          </label>
        </div>
      </div>
      <div>
        <button type="submit" className="btn-primary" disabled={create.isPending || !name.trim()}>
          {create.isPending ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}
