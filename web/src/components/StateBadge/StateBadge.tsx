import type { JobState } from '@shelf/contract';
import { stateLabel } from '../../lib/format';

const styles: Record<JobState, string> = {
  AWAITING_APPROVAL: 'bg-violet-50 text-violet-800 ring-violet-300 dark:bg-violet-950 dark:text-violet-200 dark:ring-violet-800',
  QUEUED: 'bg-slate-100 text-slate-800 ring-slate-300 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600',
  RUNNING: 'bg-blue-50 text-blue-800 ring-blue-300 dark:bg-blue-950 dark:text-blue-200 dark:ring-blue-800',
  SUCCEEDED: 'bg-green-50 text-green-800 ring-green-300 dark:bg-green-950 dark:text-green-200 dark:ring-green-800',
  FAILED: 'bg-red-50 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-200 dark:ring-red-800',
  CANCELLED: 'bg-amber-50 text-amber-900 ring-amber-300 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800',
  REJECTED: 'bg-rose-50 text-rose-800 ring-rose-300 dark:bg-rose-950 dark:text-rose-200 dark:ring-rose-800',
  EXPIRED: 'bg-zinc-100 text-zinc-700 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-600',
};

const dots: Record<JobState, string> = {
  AWAITING_APPROVAL: 'bg-violet-600 animate-pulse',
  QUEUED: 'bg-slate-500',
  RUNNING: 'bg-blue-600 animate-pulse',
  SUCCEEDED: 'bg-green-600',
  FAILED: 'bg-red-600',
  CANCELLED: 'bg-amber-600',
  REJECTED: 'bg-rose-600',
  EXPIRED: 'bg-zinc-500',
};

/** A job state as a coloured label; the word is always shown, colour is never the only signal. */
export function StateBadge({ state }: { state: JobState }) {
  return (
    <span
      data-testid="job-state"
      data-state={state}
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-semibold whitespace-nowrap ring-1 ring-inset ${styles[state]}`}
    >
      <span aria-hidden="true" className={`size-1.5 rounded-full ${dots[state]}`} />
      {stateLabel(state).toUpperCase()}
    </span>
  );
}
