import type { JobSummary } from '@shelf/contract';
import { Link } from 'react-router-dom';
import { useNow } from '../../hooks/useNow';
import { formatDateTime, formatDuration, jobDuration } from '../../lib/format';
import { JobActions } from '../JobActions/JobActions';
import { ProgressBar } from '../ProgressBar/ProgressBar';
import { StateBadge } from '../StateBadge/StateBadge';

/** Jobs from before sign-in existed, or started by a schedule, have nobody behind them. */
export function Submitter({ actor }: { actor: JobSummary['submittedBy'] | undefined }) {
  return actor ? <span className="break-all">{actor.username}</span> : <span className="muted">—</span>;
}

const th = 'px-3 py-2 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-400';
const td = 'px-3 py-2 align-middle';

/** The jobs of one page; rows change in place as job events arrive. */
export function JobsTable({ jobs, onRetried }: { jobs: JobSummary[]; onRetried: (newJobId: string) => void }) {
  const now = useNow(jobs.some((j) => j.state === 'RUNNING'));
  return (
    <div className="card overflow-x-auto">
      <table className="w-full min-w-[44rem] border-collapse text-sm">
        <caption className="sr-only">Jobs, newest first</caption>
        <thead className="border-b border-slate-200 dark:border-slate-800">
          <tr>
            <th scope="col" className={th}>Job</th>
            <th scope="col" className={th}>Item</th>
            <th scope="col" className={`${th} hidden sm:table-cell`}>Submitted by</th>
            <th scope="col" className={th}>State</th>
            <th scope="col" className={`${th} w-40`}>Progress</th>
            <th scope="col" className={`${th} hidden md:table-cell`}>Started</th>
            <th scope="col" className={th}>Duration</th>
            <th scope="col" className={th}>Actions</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => {
            const duration = jobDuration(job, now);
            return (
              <tr key={job.id} data-testid="job-row" data-job-id={job.id} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                <td className={td}>
                  <Link to={`/jobs/${encodeURIComponent(job.id)}`} className="link font-mono text-xs" title={job.id} aria-label={`Job ${job.id}`}>
                    {job.id.length > 12 ? `${job.id.slice(0, 12)}…` : job.id}
                  </Link>
                  {job.retryOf && <span className="muted ml-1 text-xs">(retry)</span>}
                </td>
                <td className={td}>
                  <span className="font-medium">{job.itemName}</span>
                  <span className="muted font-mono text-xs">@{job.version}</span>
                </td>
                <td className={`${td} hidden sm:table-cell`} data-testid="job-submitter">
                  <Submitter actor={job.submittedBy} />
                </td>
                <td className={td}>
                  <StateBadge state={job.state} />
                </td>
                <td className={td}>
                  <ProgressBar percent={job.progress.percent} state={job.state} label={`Progress of job ${job.id}`} />
                  <span className="muted mt-0.5 block truncate text-xs" title={job.progress.message}>
                    {Math.round(job.progress.percent)}%{job.progress.message ? ` · ${job.progress.message}` : ''}
                  </span>
                </td>
                <td className={`${td} muted hidden whitespace-nowrap md:table-cell`}>{formatDateTime(job.startedAt)}</td>
                <td className={`${td} whitespace-nowrap tabular-nums`}>{duration === null ? '—' : formatDuration(duration)}</td>
                <td className={td}>
                  <div className="flex items-start gap-2">
                    <Link to={`/jobs/${encodeURIComponent(job.id)}`} className="btn-secondary px-2 py-1 text-xs" aria-label={`View job ${job.id}`}>
                      View
                    </Link>
                    <JobActions job={job} onRetried={onRetried} size="sm" />
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
