import type { WorkerSummary } from '@shelf/contract';

type State = WorkerSummary['state'];

const styles: Record<State, string> = {
  active: 'bg-green-50 text-green-800 ring-green-300 dark:bg-green-950 dark:text-green-200 dark:ring-green-800',
  draining: 'bg-amber-50 text-amber-900 ring-amber-300 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800',
  drained: 'bg-slate-100 text-slate-800 ring-slate-300 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600',
  stale: 'bg-red-50 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-200 dark:ring-red-800',
};

const dots: Record<State, string> = {
  active: 'bg-green-600',
  draining: 'bg-amber-600 animate-pulse',
  drained: 'bg-slate-500',
  stale: 'bg-red-600',
};

/** A worker's state as a coloured label, like a job's StateBadge: the word is always shown. */
export function WorkerStateBadge({ state }: { state: State }) {
  return (
    <span
      data-testid="worker-state"
      data-state={state}
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-semibold whitespace-nowrap uppercase ring-1 ring-inset ${styles[state]}`}
    >
      <span aria-hidden="true" className={`size-1.5 rounded-full ${dots[state]}`} />
      {state}
    </span>
  );
}
