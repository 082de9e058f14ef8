import type { ImportRecord, ImportSource, ImportState } from '@shelf/contract';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { formatDateTime } from '../../lib/format';
import { itemLink } from '../ImportOutcome/ImportOutcome';
import { ErrorMessage, Loading } from '../QueryState/QueryState';

export const importFinished = (state: ImportState | undefined) => state === 'done' || state === 'failed' || state === 'ignored';

const stateStyle: Record<ImportState, string> = {
  queued: 'text-slate-700 dark:text-slate-300',
  running: 'text-blue-700 dark:text-blue-300',
  done: 'text-green-700 dark:text-green-300',
  failed: 'text-red-700 dark:text-red-300',
  ignored: 'text-amber-700 dark:text-amber-300',
};

export function ImportStateText({ state }: { state: ImportState }) {
  return <span className={`text-xs font-semibold uppercase ${stateStyle[state]}`}>{state}</span>;
}

function SourceText({ source }: { source: ImportSource }) {
  switch (source.kind) {
    case 'local':
      return <span className="font-mono text-xs break-all">{source.path}</span>;
    case 'upload':
      return <span className="font-mono text-xs break-all">{source.fileName}</span>;
    case 'git':
      return (
        <span className="text-xs break-all">
          <span className="font-mono">{source.url}</span>
          {source.ref && <span className="font-mono"> @ {source.ref}</span>}
          <span className="muted"> ({source.trigger})</span>
        </span>
      );
  }
}

/** Each item an import touched, linked when it is in the catalog, with the reason when refused. */
export function ImportResults({ record }: { record: ImportRecord }) {
  if (!record.results.length) return record.error ? <p className="text-xs text-red-700 dark:text-red-300">{record.error}</p> : <span className="muted text-xs">—</span>;
  return (
    <ul className="space-y-0.5 text-xs">
      {record.results.map((r) => (
        <li key={`${r.id}@${r.version}`}>
          {r.status === 'created' || r.status === 'unchanged' ? (
            <Link to={itemLink(r.id, r.version)} className="link font-mono">
              {r.id}@{r.version}
            </Link>
          ) : (
            <span className="font-mono">
              {r.id}@{r.version}
            </span>
          )}{' '}
          <span className={r.status === 'refused' || r.status === 'failed' ? 'font-semibold text-red-700 dark:text-red-300' : 'muted'}>{r.status}</span>
          {r.error && <span className="block text-red-700 dark:text-red-300">{r.error}</span>}
        </li>
      ))}
      {record.error && <li className="text-red-700 dark:text-red-300">{record.error}</li>}
    </ul>
  );
}

/** The newest import attempts of every source; refreshes while any is still running. */
export function ImportsList() {
  const imports = useQuery({
    queryKey: queryKeys.imports(),
    queryFn: ({ signal }) => api.imports(signal),
    refetchInterval: (q) => (q.state.data?.some((r) => !importFinished(r.state)) ? 2000 : false),
  });
  if (imports.isPending) return <Loading label="Loading recent imports…" />;
  if (imports.isError) return <ErrorMessage error={imports.error} title="Could not load recent imports" onRetry={() => void imports.refetch()} />;
  const records = imports.data.slice(0, 20);
  if (!records.length) return <p className="muted text-sm">No imports yet.</p>;
  return (
    <div className="card overflow-x-auto">
      <table className="w-full min-w-[36rem] text-sm">
        <caption className="sr-only">Recent imports, newest first</caption>
        <thead className="border-b border-slate-200 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase dark:border-slate-800 dark:text-slate-400">
          <tr>
            <th scope="col" className="px-3 py-2">When</th>
            <th scope="col" className="px-3 py-2">Source</th>
            <th scope="col" className="px-3 py-2">State</th>
            <th scope="col" className="px-3 py-2">Items</th>
          </tr>
        </thead>
        <tbody>
          {records.map((r) => (
            <tr key={r.importId} className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800">
              <td className="muted px-3 py-2 text-xs whitespace-nowrap">{formatDateTime(r.createdAt)}</td>
              <td className="px-3 py-2">
                <span className="muted mr-1 text-xs">{r.source.kind}</span>
                <SourceText source={r.source} />
              </td>
              <td className="px-3 py-2">
                <ImportStateText state={r.state} />
              </td>
              <td className="px-3 py-2">
                <ImportResults record={r} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
