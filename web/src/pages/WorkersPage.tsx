import type { WorkerSummary } from '@shelf/contract';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { ErrorMessage, Loading } from '../components/QueryState/QueryState';
import { RequireRole } from '../components/RequireRole/RequireRole';
import type { WorkerOutcome } from '../components/WorkerActions/WorkerActions';
import { WorkersTable } from '../components/WorkersTable/WorkersTable';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useNow } from '../hooks/useNow';

/** How often the list asks again: workers beat every 5 s by default. */
export const workerRefreshMs = 5_000;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "3 workers: 1 active, 1 draining or drained, 1 stale. 2 of 8 slots busy (live workers)." */
function fleetSummary(workers: WorkerSummary[]): string {
  const count = (...states: WorkerSummary['state'][]) => workers.filter((w) => states.includes(w.state)).length;
  // A stale worker takes no jobs, and the jobs it had end LOST: its slots are not the fleet's.
  const live = workers.filter((w) => w.state !== 'stale');
  const running = live.reduce((sum, w) => sum + w.running.length, 0);
  const slots = live.reduce((sum, w) => sum + w.concurrency, 0);
  const stale = count('stale');
  return (
    `${plural(workers.length, 'worker', 'workers')}: ${count('active')} active, ${count('draining', 'drained')} draining or drained, ${stale} stale. ` +
    `${running} of ${plural(slots, 'slot', 'slots')} busy${stale ? ' (live workers)' : ''}.`
  );
}

function Workers() {
  useDocumentTitle('Workers');
  const workers = useQuery({
    queryKey: queryKeys.workers(),
    queryFn: ({ signal }) => api.workers(signal),
    refetchInterval: workerRefreshMs,
    refetchOnWindowFocus: 'always',
  });
  // The last drain or resume per worker: its row shows it, or the list above once the worker is gone.
  const [outcomes, setOutcomes] = useState<Record<string, WorkerOutcome>>({});
  const onOutcome = (id: string, outcome: WorkerOutcome | undefined) =>
    setOutcomes(({ [id]: _previous, ...others }) => (outcome ? { ...others, [id]: outcome } : others));
  const now = useNow(true, workerRefreshMs);
  const gone = Object.entries(outcomes).filter(([id]) => workers.data && !workers.data.some((w) => w.id === id));

  return (
    <>
      <div className="mb-6">
        <h1 className="text-2xl font-bold tracking-tight">Workers</h1>
        <p className="muted mt-1 text-sm">
          Every worker that reported in within the last hour, as its heartbeat says. A worker that missed three heartbeats is stale. Drain one to
          take it out for maintenance without killing jobs.
        </p>
      </div>
      <div role="status" aria-live="polite">
        {gone.map(([id, outcome]) => (
          <p
            key={id}
            data-testid="worker-gone"
            className={`mb-4 rounded-md border p-3 text-sm ${
              outcome.ok
                ? 'border-green-300 bg-green-50 text-green-900 dark:border-green-800 dark:bg-green-950 dark:text-green-100'
                : 'border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100'
            }`}
          >
            {outcome.text}
          </p>
        ))}
      </div>
      {workers.isPending ? (
        <Loading label="Loading the workers…" />
      ) : workers.isError ? (
        <ErrorMessage error={workers.error} title="Could not load the workers" onRetry={() => void workers.refetch()} />
      ) : !workers.data.length ? (
        <div className="card p-8 text-center text-sm" data-testid="workers-empty">
          No worker has reported in. Start one with <code className="rounded bg-slate-100 px-1 font-mono text-xs dark:bg-slate-800">npm start</code> or
          see <em>Running on several machines</em> in the README.
        </div>
      ) : (
        <>
          <p className="mb-3 text-sm" data-testid="workers-summary">
            {fleetSummary(workers.data)}
          </p>
          <WorkersTable workers={workers.data} now={now} outcomes={outcomes} onOutcome={onOutcome} />
        </>
      )}
    </>
  );
}

/** The worker fleet, for admins: who is up, how busy, drain and resume; kept fresh every 5 s. */
export default function WorkersPage() {
  return (
    <RequireRole action="administer" title="Workers">
      <Workers />
    </RequireRole>
  );
}
