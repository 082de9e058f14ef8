import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { ImportResults, ImportStateText, importFinished } from '../ImportsList/ImportsList';
import { ErrorMessage } from '../QueryState/QueryState';

/** Follows one queued import until it is done, failed or ignored. */
function ImportProgress({ importId }: { importId: string }) {
  const client = useQueryClient();
  const record = useQuery({
    queryKey: queryKeys.importRecord(importId),
    queryFn: ({ signal }) => api.importRecord(importId, signal),
    refetchInterval: (q) => (importFinished(q.state.data?.state) ? false : 1000),
  });
  const finished = importFinished(record.data?.state);
  useEffect(() => {
    if (!finished) return;
    void client.invalidateQueries({ queryKey: queryKeys.catalog() });
    void client.invalidateQueries({ queryKey: queryKeys.imports(), exact: true });
  }, [finished, client]);

  return (
    <div className="card p-4 text-sm" data-testid="git-import-progress">
      <p>
        Import <code className="font-mono text-xs">{importId}</code>{' '}
        <span aria-live="polite">{record.data ? <ImportStateText state={record.data.state} /> : <span className="muted text-xs">queued</span>}</span>
      </p>
      {record.isError && <ErrorMessage error={record.error} title="Could not read the import's state" />}
      {record.data && (record.data.results.length > 0 || record.data.error) && (
        <div className="mt-3">
          <ImportResults record={record.data} />
        </div>
      )}
      {!finished && !record.isError && <p className="muted mt-2 text-xs">Cloning and validating; this page updates by itself.</p>}
    </div>
  );
}

/** Queues an import of a Git repository's `<id>@<semver>` tags (or one tag). */
export function GitImport() {
  const client = useQueryClient();
  const [url, setUrl] = useState('');
  const [ref, setRef] = useState('');
  const sync = useMutation({
    mutationFn: () => api.gitSync(url.trim(), ref.trim() || undefined),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.imports(), exact: true }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (url.trim()) sync.mutate();
  };
  return (
    <form onSubmit={submit} className="flex flex-col gap-4">
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <div className="sm:col-span-2">
          <label htmlFor="git-url" className="label">
            Repository URL
          </label>
          <input
            id="git-url"
            type="url"
            className="input font-mono"
            placeholder="https://github.com/acme/catalog.git"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            required
            spellCheck={false}
          />
        </div>
        <div>
          <label htmlFor="git-ref" className="label">
            Tag <span className="muted font-normal">(optional)</span>
          </label>
          <input
            id="git-ref"
            className="input font-mono"
            placeholder="hello-world@1.2.0"
            value={ref}
            onChange={(e) => setRef(e.target.value)}
            aria-describedby="git-ref-hint"
            spellCheck={false}
          />
        </div>
      </div>
      <p id="git-ref-hint" className="muted -mt-2 text-xs">
        Tags are named <code className="font-mono">&lt;item-id&gt;@&lt;semver&gt;</code>. Without one, every such tag is imported.
      </p>
      <div>
        <button type="submit" className="btn-primary" disabled={sync.isPending || !url.trim()}>
          {sync.isPending ? 'Queuing…' : 'Import from Git'}
        </button>
      </div>
      {sync.isError && <ErrorMessage error={sync.error} title="The import was refused" />}
      {sync.data && <ImportProgress key={sync.data.importId} importId={sync.data.importId} />}
    </form>
  );
}
