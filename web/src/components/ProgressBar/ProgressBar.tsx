import type { JobState } from '@shelf/contract';

const fills: Partial<Record<JobState, string>> = {
  SUCCEEDED: 'bg-green-600 dark:bg-green-500',
  FAILED: 'bg-red-600 dark:bg-red-500',
  CANCELLED: 'bg-amber-500',
  REJECTED: 'bg-rose-500',
  EXPIRED: 'bg-zinc-400',
};

/** A labelled progress bar (role progressbar), coloured by the job's state. */
export function ProgressBar({ percent, state, label, className = '' }: { percent: number; state?: JobState; label: string; className?: string }) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  const fill = (state && fills[state]) ?? 'bg-indigo-600 dark:bg-indigo-400';
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value}
      className={`h-2 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700 ${className}`}
    >
      <div className={`h-full rounded-full transition-[width] duration-300 ${fill}`} style={{ width: `${value}%` }} />
    </div>
  );
}
