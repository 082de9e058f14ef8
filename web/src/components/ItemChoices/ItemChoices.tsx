import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { errorText } from '../QueryState/QueryState';

interface Props {
  /** Prefixes the checkboxes' ids, so two lists on one page do not clash. */
  id: string;
  legend: string;
  selected: string[];
  onChange: (items: string[]) => void;
  error?: string;
}

/**
 * A checkbox for each catalog item, to choose which items may use a named secret. A chosen id
 * the catalog does not list (an item not imported yet, or removed) stays listed, so saving does
 * not drop it unseen.
 */
export function ItemChoices({ id, legend, selected, onChange, error }: Props) {
  const catalog = useQuery({ queryKey: queryKeys.catalog(), queryFn: ({ signal }) => api.catalog(signal) });
  const known = catalog.data ?? [];
  const choices = [
    ...known.map((item) => ({ id: item.id, name: item.name })),
    ...selected.filter((chosen) => !known.some((item) => item.id === chosen)).map((chosen) => ({ id: chosen, name: 'not in the catalog' })),
  ];
  const toggle = (item: string) => onChange(selected.includes(item) ? selected.filter((s) => s !== item) : [...selected, item]);
  const errorId = error ? `${id}-error` : undefined;
  return (
    <fieldset aria-describedby={errorId}>
      <legend className="label">{legend}</legend>
      {catalog.isPending ? (
        <p className="muted text-sm">Loading the catalog…</p>
      ) : catalog.isError ? (
        <p className="text-sm text-red-700 dark:text-red-400">
          Could not load the catalog: {errorText(catalog.error)}{' '}
          <button type="button" className="link" onClick={() => void catalog.refetch()}>
            Try again
          </button>
        </p>
      ) : (
        !choices.length && <p className="muted text-sm">The catalog is empty; items can be allowed once they are imported.</p>
      )}
      {choices.length > 0 && (
        <div className="grid max-h-60 grid-cols-1 gap-1 overflow-y-auto sm:grid-cols-2">
          {choices.map((item) => (
            <label key={item.id} className="flex min-w-0 items-center gap-2 text-sm">
              <input type="checkbox" id={`${id}-${item.id}`} checked={selected.includes(item.id)} onChange={() => toggle(item.id)} />
              <span className="font-mono text-xs break-all">{item.id}</span>
              <span className="muted truncate text-xs">{item.name}</span>
            </label>
          ))}
        </div>
      )}
      {error && (
        <p id={errorId} className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </fieldset>
  );
}
