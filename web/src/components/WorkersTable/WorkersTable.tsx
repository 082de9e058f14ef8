import type { WorkerSummary } from '@shelf/contract';
import { Link } from 'react-router-dom';
import { formatDateTime, formatRelative } from '../../lib/format';
import { shortJobId } from '../../lib/format';
import { WorkerActions, type WorkerOutcome } from '../WorkerActions/WorkerActions';
import { WorkerStateBadge } from '../WorkerStateBadge/WorkerStateBadge';

const th = 'px-3 py-2 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-400';
const td = 'px-3 py-2 align-top';

/** A past moment in words, the date and time in its title. A time ahead of ours (another host's clock) reads "now". */
function When({ iso, now }: { iso: string; now: number }) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)} className="whitespace-nowrap">
      {formatRelative(iso, Math.max(now, at))}
    </time>
  );
}

function Labels({ labels }: { labels: string[] }) {
  if (!labels.length) return <span className="muted text-xs">none</span>;
  return (
    <ul className="flex flex-wrap gap-1" aria-label="Labels">
      {labels.map((label) => (
        <li key={label} className="rounded-full bg-slate-100 px-2 py-0.5 font-mono text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300">
          {label}
        </li>
      ))}
    </ul>
  );
}

/** Busy slots of all it has, and the jobs in them. */
function Load({ worker }: { worker: WorkerSummary }) {
  return (
    <>
      <span className="tabular-nums whitespace-nowrap" data-testid="worker-load">
        {worker.running.length}/{worker.concurrency}
        <span className="sr-only"> slots busy</span>
      </span>
      {worker.running.length > 0 && (
        <ul className="mt-1 flex flex-col gap-0.5" aria-label={`Jobs running on ${worker.id}`}>
          {worker.running.map((jobId) => (
            <li key={jobId}>
              <Link to={`/jobs/${encodeURIComponent(jobId)}`} className="link font-mono text-xs" title={jobId} aria-label={`Job ${jobId}`}>
                {shortJobId(jobId)}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Outcome({ outcome }: { outcome: WorkerOutcome | undefined }) {
  return (
    <>
      <div role="status" aria-live="polite">
        {outcome?.ok && <p className="mt-1 max-w-xs text-xs text-green-800 dark:text-green-300">{outcome.text}</p>}
      </div>
      {outcome && !outcome.ok && (
        <p role="alert" className="mt-1 max-w-xs text-xs break-words text-red-700 dark:text-red-300">
          {outcome.text}
        </p>
      )}
    </>
  );
}

/** The worker fleet, one row each, with drain and resume. On a narrow screen the table scrolls sideways. */
export function WorkersTable({
  workers,
  now,
  outcomes,
  onOutcome,
}: {
  workers: WorkerSummary[];
  now: number;
  outcomes: Record<string, WorkerOutcome>;
  onOutcome: (id: string, outcome: WorkerOutcome | undefined) => void;
}) {
  return (
    <div className="card overflow-x-auto">
      <table className="w-full min-w-[64rem] border-collapse text-sm">
        <caption className="sr-only">Workers, by id</caption>
        <thead className="border-b border-slate-200 dark:border-slate-800">
          <tr>
            <th scope="col" className={th}>Worker</th>
            <th scope="col" className={th}>Host</th>
            <th scope="col" className={th}>Version</th>
            <th scope="col" className={th}>Runner</th>
            <th scope="col" className={th}>Labels</th>
            <th scope="col" className={th}>Load</th>
            <th scope="col" className={th}>State</th>
            <th scope="col" className={th}>Started</th>
            <th scope="col" className={th}>Last seen</th>
            <th scope="col" className={th}>Actions</th>
          </tr>
        </thead>
        <tbody>
          {workers.map((worker) => (
            <tr key={worker.id} data-testid="worker-row" data-worker-id={worker.id} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
              <th scope="row" className={`${td} text-left font-mono text-xs font-medium break-all`}>
                {worker.id}
              </th>
              <td className={`${td} break-all`}>{worker.host}</td>
              <td className={`${td} font-mono text-xs`}>{worker.version || <span className="muted">—</span>}</td>
              <td className={td}>{worker.runner}</td>
              <td className={td}>
                <Labels labels={worker.labels} />
              </td>
              <td className={td}>
                <Load worker={worker} />
              </td>
              <td className={td}>
                <WorkerStateBadge state={worker.state} />
                {worker.state === 'stale' && (
                  <span className="mt-1 block text-xs font-medium text-red-800 dark:text-red-300" data-testid="stale-seen">
                    last seen <When iso={worker.lastSeenAt} now={now} />
                  </span>
                )}
              </td>
              <td className={`${td} text-xs`}>
                <When iso={worker.startedAt} now={now} />
              </td>
              <td className={`${td} text-xs`}>
                <When iso={worker.lastSeenAt} now={now} />
              </td>
              <td className={td}>
                <WorkerActions worker={worker} onOutcome={onOutcome} />
                <Outcome outcome={outcomes[worker.id]} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
