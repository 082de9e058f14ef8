import { MIN_SECRET_LENGTH, type NamedSecret } from '@shelf/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { useSecretMutation } from '../../hooks/useSecretMutation';
import { fieldErrors } from '../../lib/fieldErrors';
import { formatDateTime, formatRelative, sentence } from '../../lib/format';
import { secretValueSentence } from '../../lib/secrets';
import { ConfirmButton } from '../ConfirmButton/ConfirmButton';
import { ItemChoices } from '../ItemChoices/ItemChoices';
import { errorText } from '../QueryState/QueryState';
import { SecretField } from '../SecretInput/SecretInput';

const td = 'px-3 py-2 align-top';

function When({ iso, now }: { iso: string; now: number }) {
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso, now)}
    </time>
  );
}

/** Asks for a new value and sends it; the field is emptied the moment the server has it. */
function RotateForm({ name, onRotated, onClose }: { name: string; onRotated: () => void; onClose: () => void }) {
  const [value, setValue] = useState('');
  const [tried, setTried] = useState(false);
  const rotate = useSecretMutation((next: string) => api.updateSecret(name, { value: next }));
  const problem = (tried ? secretValueSentence(value) : undefined) ?? fieldErrors(rotate.error).value;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (secretValueSentence(value)) return;
    const rotated = await rotate.mutate(value);
    if (!rotated) return;
    setValue('');
    onRotated();
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="mt-2 flex flex-col gap-2" aria-label={`Rotate ${name}`} noValidate>
      <SecretField
        id={`rotate-${name}`}
        label={`New value for ${name}`}
        hint={`At least ${MIN_SECRET_LENGTH} characters. Jobs started from now on read the new value.`}
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
          if (rotate.isError) rotate.reset();
        }}
        error={problem && sentence(problem)}
      />
      {rotate.isError && !problem && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-300">
          Could not rotate {name}: {errorText(rotate.error)}
        </p>
      )}
      <div className="flex gap-2">
        <button type="submit" className="btn-primary px-2 py-1 text-xs" disabled={rotate.isPending || !value}>
          {rotate.isPending ? 'Rotating…' : 'Rotate'}
        </button>
        <button type="button" className="btn-secondary px-2 py-1 text-xs" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Changes which items may use the secret. */
function ItemsForm({ secret, onSaved, onClose }: { secret: NamedSecret; onSaved: (saved: NamedSecret) => void; onClose: () => void }) {
  const [items, setItems] = useState(secret.items);
  const save = useMutation({ mutationFn: () => api.updateSecret(secret.name, { items }), onSuccess: onSaved });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} className="mt-2 flex flex-col gap-2" aria-label={`Items that may use ${secret.name}`}>
      <ItemChoices id={`items-${secret.name}`} legend={`Items that may use ${secret.name}`} selected={items} onChange={setItems} error={fieldErrors(save.error).items} />
      {save.isError && !fieldErrors(save.error).items && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-300">
          Could not save the items: {errorText(save.error)}
        </p>
      )}
      <div className="flex gap-2">
        <button type="submit" className="btn-primary px-2 py-1 text-xs" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save items'}
        </button>
        <button type="button" className="btn-secondary px-2 py-1 text-xs" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** One named secret: what it is for, who may use it, who last rotated and changed it; rotate, edit items, delete. */
export function SecretRow({ secret, now, onDone }: { secret: NamedSecret; now: number; onDone: (message: string) => void }) {
  const client = useQueryClient();
  const [open, setOpen] = useState<'rotate' | 'items' | undefined>();
  const refresh = () => void client.invalidateQueries({ queryKey: queryKeys.secrets() });
  const done = (message: string) => {
    setOpen(undefined);
    onDone(message);
    refresh();
  };
  const remove = useMutation({ mutationFn: () => api.deleteSecret(secret.name), onSuccess: () => done(`Secret ${secret.name} deleted.`) });

  return (
    <tr data-testid="secret-row" className="border-b border-slate-100 last:border-0 dark:border-slate-800">
      <td className={td}>
        <span className="font-mono font-medium break-all">{secret.name}</span>
      </td>
      <td className={`${td} break-words`}>{secret.description || <span className="muted">—</span>}</td>
      <td className={td}>
        {secret.items.length ? (
          <ul className="flex flex-col gap-0.5">
            {secret.items.map((item) => (
              <li key={item}>
                <Link to={`/catalog/${encodeURIComponent(item)}`} className="link font-mono text-xs break-all">
                  {item}
                </Link>
              </li>
            ))}
          </ul>
        ) : (
          <span className="muted text-xs">No item yet</span>
        )}
      </td>
      <td className={`${td} text-xs`}>
        <span className="block">
          rotated by {secret.rotatedBy}, <When iso={secret.rotatedAt} now={now} />
        </span>
        <span className="muted block">
          changed by {secret.updatedBy}, <When iso={secret.updatedAt} now={now} />
        </span>
      </td>
      <td className={td}>
        <div className="flex flex-wrap items-start gap-2">
          <button
            type="button"
            className="btn-secondary px-2 py-1 text-xs"
            aria-expanded={open === 'rotate'}
            aria-label={`Rotate ${secret.name}`}
            onClick={() => setOpen(open === 'rotate' ? undefined : 'rotate')}
          >
            Rotate
          </button>
          <button
            type="button"
            className="btn-secondary px-2 py-1 text-xs"
            aria-expanded={open === 'items'}
            aria-label={`Edit items of ${secret.name}`}
            onClick={() => setOpen(open === 'items' ? undefined : 'items')}
          >
            Edit items
          </button>
          <ConfirmButton
            label="Delete"
            name={`Delete secret ${secret.name}`}
            question={`Delete ${secret.name}? Jobs started from now on cannot read it.`}
            confirmLabel="Delete"
            pending={remove.isPending}
            pendingLabel="Deleting…"
            onConfirm={() => remove.mutate()}
          />
        </div>
        {remove.isError && (
          <p role="alert" className="mt-1 text-xs text-red-700 dark:text-red-300">
            Could not delete {secret.name}: {errorText(remove.error)}
          </p>
        )}
        {open === 'rotate' && <RotateForm name={secret.name} onRotated={() => done(`Secret ${secret.name} rotated.`)} onClose={() => setOpen(undefined)} />}
        {open === 'items' && (
          <ItemsForm
            secret={secret}
            onSaved={(saved) => done(saved.items.length ? `Secret ${saved.name} may now be used by ${saved.items.join(', ')}.` : `Secret ${saved.name} may now be used by no item.`)}
            onClose={() => setOpen(undefined)}
          />
        )}
      </td>
    </tr>
  );
}
