import { MIN_SECRET_LENGTH } from '@shelf/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, type NewSecret } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { useSecretMutation } from '../../hooks/useSecretMutation';
import { fieldErrors } from '../../lib/fieldErrors';
import { sentence } from '../../lib/format';
import { secretNameProblem, secretValueSentence } from '../../lib/secrets';
import { ItemChoices } from '../ItemChoices/ItemChoices';
import { ErrorMessage } from '../QueryState/QueryState';
import { SecretField } from '../SecretInput/SecretInput';
import { TextField } from '../TextField/TextField';

const empty = { name: '', value: '', description: '', items: [] as string[] };

/** Field messages of a refused creation; a 409 is about the name. */
function problemsOf(error: unknown): Record<string, string> {
  if (error instanceof ApiError && error.status === 409) return { name: sentence(error.message) };
  return Object.fromEntries(Object.entries(fieldErrors(error)).map(([field, message]) => [field, sentence(message)]));
}

/** Creates a named secret. Its value goes to the server once and is never shown again, here or anywhere. */
export function CreateSecret({ onCreated }: { onCreated: (message: string) => void }) {
  const client = useQueryClient();
  const [form, setForm] = useState(empty);
  // The form's own checks speak once a submit was tried, not while the first characters are typed.
  const [tried, setTried] = useState(false);
  const create = useSecretMutation((body: NewSecret) => api.createSecret(body));

  const server = problemsOf(create.error);
  const errors = {
    name: (tried ? secretNameProblem(form.name) : undefined) ?? server.name,
    value: (tried ? secretValueSentence(form.value) : undefined) ?? server.value,
    description: server.description,
    items: server.items,
  };
  const change = (next: Partial<typeof empty>) => {
    setForm((f) => ({ ...f, ...next }));
    // A refusal was about the values as they were; once they change it no longer applies.
    if (create.isError) create.reset();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (secretNameProblem(form.name) || secretValueSentence(form.value)) return;
    const description = form.description.trim();
    const created = await create.mutate({ name: form.name, value: form.value, items: form.items, ...(description ? { description } : {}) });
    if (!created) return;
    setForm(empty);
    setTried(false);
    onCreated(`Secret ${created.name} created.`);
    void client.invalidateQueries({ queryKey: queryKeys.secrets() });
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="create-secret-heading" className="card flex flex-col gap-4 p-5" noValidate>
      <h2 id="create-secret-heading" className="text-lg font-semibold">
        Add a secret
      </h2>
      {create.isError && !Object.keys(server).length && <ErrorMessage error={create.error} title="Could not add the secret" />}
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <TextField
          id="new-secret-name"
          label="Name"
          required
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
          maxLength={64}
          placeholder="DB_ADMIN_PASSWORD"
          hint="Uppercase letters, digits and underscores; the job reads it as /run/secrets/NAME."
          value={form.name}
          onChange={(e) => change({ name: e.target.value })}
          error={errors.name}
        />
        <SecretField
          id="new-secret-value"
          label="Value"
          required
          hint={`At least ${MIN_SECRET_LENGTH} characters. Stored encrypted and never shown again.`}
          value={form.value}
          onChange={(e) => change({ value: e.target.value })}
          error={errors.value}
        />
      </div>
      <TextField
        id="new-secret-description"
        label="Description (optional)"
        autoComplete="off"
        placeholder="What it unlocks and who to ask about it"
        value={form.description}
        onChange={(e) => change({ description: e.target.value })}
        error={errors.description}
      />
      <ItemChoices id="new-secret-items" legend="Items that may use it" selected={form.items} onChange={(items) => change({ items })} error={errors.items} />
      <div>
        <button type="submit" className="btn-primary" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add secret'}
        </button>
      </div>
    </form>
  );
}
