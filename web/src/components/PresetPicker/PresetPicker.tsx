import type { Me, Preset } from '@shelf/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { fieldErrors } from '../../lib/fieldErrors';
import type { Decision } from '../../lib/permissions';
import { ConfirmButton } from '../ConfirmButton/ConfirmButton';
import { ErrorMessage, errorText } from '../QueryState/QueryState';
import { TextField } from '../TextField/TextField';

interface Props {
  itemId: string;
  me: Me | undefined;
  /** Saving (and deleting) is for those who may run the item. */
  canSave: Decision;
  /** The inputs to save, their secrets already dropped (the server drops them too). */
  inputsToSave: () => Record<string, unknown>;
  /** Fills the form with a preset's inputs. */
  onFill: (preset: Preset) => void;
}

/** Whose a preset is, in its option: nothing for one's own. */
function owner(preset: Preset, me: Me | undefined): string {
  if (preset.owner.id === me?.id) return preset.shared ? ' (yours, shared)' : '';
  return preset.shared ? ` (shared by ${preset.owner.username})` : ` (${preset.owner.username}'s, not shared)`;
}

/** Named input sets for the item: fill the form from one, save the form as one, delete one's own. */
export function PresetPicker({ itemId, me, canSave, inputsToSave, onFill }: Props) {
  const client = useQueryClient();
  const presets = useQuery({ queryKey: queryKeys.presets(itemId), queryFn: ({ signal }) => api.presets(itemId, signal) });
  const [chosenId, setChosenId] = useState('');
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [notice, setNotice] = useState('');
  const ids = useId();

  const refresh = () => client.invalidateQueries({ queryKey: queryKeys.presets(itemId) });
  const save = useMutation({
    mutationFn: () => api.savePreset(itemId, { name: name.trim(), inputs: inputsToSave(), shared }),
    onSuccess: ({ preset, created }) => {
      setNotice(created ? `Saved the preset “${preset.name}”.` : `Replaced your preset “${preset.name}” with these inputs.`);
      setSaving(false);
      setName('');
      setShared(false);
      setChosenId(preset.id);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (preset: Preset) => api.deletePreset(itemId, preset.id),
    onSuccess: (_, preset) => {
      setNotice(`Deleted the preset “${preset.name}”.`);
      setChosenId('');
      void refresh();
    },
  });

  const list = presets.data ?? [];
  const chosen = list.find((p) => p.id === chosenId);
  const mine = list.filter((p) => p.owner.id === me?.id);
  const others = list.filter((p) => p.owner.id !== me?.id);
  const mayDelete = chosen && canSave.allowed && (chosen.owner.id === me?.id || me?.role === 'admin');
  const errors = fieldErrors(save.error);

  const fill = () => {
    if (!chosen) return;
    onFill(chosen);
    setNotice(`Filled the form from the preset “${chosen.name}”.`);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };

  return (
    <section aria-label="Presets" className="mb-5 rounded-md border border-slate-200 p-3 dark:border-slate-700">
      <div className="flex flex-wrap items-end gap-2">
        <div className="min-w-48 flex-1">
          <label htmlFor={`${ids}-preset`} className="label">
            Fill from preset
          </label>
          <select id={`${ids}-preset`} className="input" value={chosenId} onChange={(e) => setChosenId(e.target.value)} disabled={!list.length}>
            <option value="">{presets.isPending ? 'Loading presets…' : list.length ? 'Choose a preset…' : 'No presets yet'}</option>
            {mine.length > 0 && (
              <optgroup label="Yours">
                {mine.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                    {owner(p, me)}
                  </option>
                ))}
              </optgroup>
            )}
            {others.length > 0 && (
              <optgroup label="Others'">
                {others.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                    {owner(p, me)}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        </div>
        <button type="button" className="btn-secondary" disabled={!chosen} onClick={fill}>
          Fill the form
        </button>
        {chosen && mayDelete && (
          <ConfirmButton
            label="Delete"
            name={`Delete preset ${chosen.name}`}
            question={`Delete the preset “${chosen.name}”${chosen.shared ? ', which others use too' : ''}?`}
            confirmLabel="Delete preset"
            className="btn-danger"
            pending={remove.isPending}
            pendingLabel="Deleting…"
            onConfirm={() => remove.mutate(chosen)}
          />
        )}
        {canSave.allowed && !saving && (
          <button type="button" className="btn-secondary" onClick={() => setSaving(true)}>
            Save as preset…
          </button>
        )}
      </div>
      {presets.isError && <p className="mt-2 text-xs text-red-700 dark:text-red-400">Could not load the presets: {errorText(presets.error)}</p>}
      {remove.isError && <p role="alert" className="mt-2 text-xs text-red-700 dark:text-red-400">Could not delete the preset: {errorText(remove.error)}</p>}
      <p role="status" className="muted text-xs not-empty:mt-2">
        {notice}
      </p>

      {saving && (
        <form onSubmit={submit} aria-labelledby={`${ids}-save-heading`} className="mt-2 flex flex-col gap-3 border-t border-slate-200 pt-3 dark:border-slate-700">
          <h3 id={`${ids}-save-heading`} className="text-sm font-semibold">
            Save the form as a preset
          </h3>
          {save.isError && !Object.keys(errors).length && <ErrorMessage error={save.error} title="Could not save the preset" />}
          <TextField
            id={`${ids}-name`}
            label="Preset name"
            required
            maxLength={80}
            autoFocus
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={errors.name}
            hint="Saving under the name of one of your presets replaces it. Secret fields are never saved."
          />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
            Share with everyone who can run this item
          </label>
          <div className="flex gap-2">
            <button type="submit" className="btn-primary" disabled={save.isPending || !name.trim()}>
              {save.isPending ? 'Saving…' : 'Save preset'}
            </button>
            <button
              type="button"
              className="btn-secondary"
              onClick={() => {
                setSaving(false);
                save.reset();
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
