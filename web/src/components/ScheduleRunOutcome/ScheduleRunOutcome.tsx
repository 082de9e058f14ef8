import type { JobState, ScheduleRun } from '@shelf/contract';
import { Link } from 'react-router-dom';
import { stateLabel } from '../../lib/format';
import { StateBadge } from '../StateBadge/StateBadge';

const pill = 'inline-flex items-center rounded-full px-2 py-0.5 text-xs font-semibold whitespace-nowrap ring-1 ring-inset';
const outcomeStyles = {
  started: 'bg-slate-100 text-slate-800 ring-slate-300 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600',
  skipped: 'bg-amber-50 text-amber-900 ring-amber-300 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800',
  failed: 'bg-red-50 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-200 dark:ring-red-800',
};


/**
 * What one run of a schedule came to: the job it started (its state when known) as a link, or
 * "skipped"/"failed" with the reason written out, not only in a tooltip that touch screens never show.
 */
export function ScheduleRunOutcome({ run }: { run: ScheduleRun & { state?: JobState } }) {
  if (run.outcome === 'started' && run.jobId) {
    return (
      <span className="inline-flex flex-wrap items-center gap-1.5">
        <Link to={`/jobs/${encodeURIComponent(run.jobId)}`} aria-label={`Job ${run.jobId}: ${run.state ? stateLabel(run.state) : 'started'}`} title={run.jobId} className="rounded-full">
          {run.state ? <StateBadge state={run.state} /> : <span className={`${pill} ${outcomeStyles.started}`}>STARTED</span>}
        </Link>
        {run.manual && <span className="muted text-xs">run now</span>}
      </span>
    );
  }
  return (
    <span className="block max-w-xs" data-testid="run-outcome" data-outcome={run.outcome}>
      <span className={`${pill} ${outcomeStyles[run.outcome]}`} title={run.reason}>
        {run.outcome.toUpperCase()}
      </span>
      {run.manual && <span className="muted ml-1.5 text-xs">run now</span>}
      {run.reason && <span className="mt-1 block text-xs break-words">{run.reason}</span>}
    </span>
  );
}
