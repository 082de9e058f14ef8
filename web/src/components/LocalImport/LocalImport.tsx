import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { ImportOutcome } from '../ImportOutcome/ImportOutcome';

/** Imports an item folder from the server's disk (inside SHELF_LOCAL_ROOTS). */
export function LocalImport() {
  const client = useQueryClient();
  const [path, setPath] = useState('');
  const importLocal = useMutation({
    mutationFn: api.importLocal,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: queryKeys.catalog() });
      void client.invalidateQueries({ queryKey: queryKeys.imports() });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (path.trim()) importLocal.mutate(path.trim());
  };
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-describedby="local-hint">
      <div>
        <label htmlFor="local-path" className="label">
          Folder path
        </label>
        <input
          id="local-path"
          className="input font-mono"
          placeholder="catalog-examples/hello-world"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          required
          autoComplete="off"
          spellCheck={false}
        />
        <p id="local-hint" className="muted mt-1.5 text-xs">
          A folder on the Shelf server holding a manifest.yaml, absolute or relative to the server&apos;s working directory. It must lie inside
          one of the allowed roots (SHELF_LOCAL_ROOTS).
        </p>
      </div>
      <div>
        <button type="submit" className="btn-primary" disabled={importLocal.isPending || !path.trim()}>
          {importLocal.isPending ? 'Importing…' : 'Import folder'}
        </button>
      </div>
      <ImportOutcome result={importLocal.data} error={importLocal.error} />
    </form>
  );
}
