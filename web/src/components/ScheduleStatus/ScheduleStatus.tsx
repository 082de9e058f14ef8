import type { Schedule } from '@shelf/contract';

const pill = 'inline-flex items-center rounded-full px-2 py-0.5 text-xs font-semibold whitespace-nowrap ring-1 ring-inset';

/**
 * Enabled, paused, or stopped by itself; a stopped schedule says why in full, since the reason
 * (its owner lost the right to run the item…) is what someone has to act on.
 */
export function ScheduleStatus({ schedule }: { schedule: Pick<Schedule, 'enabled' | 'stoppedReason'> }) {
  if (schedule.enabled) {
    return (
      <span data-testid="schedule-status" className={`${pill} bg-green-50 text-green-800 ring-green-300 dark:bg-green-950 dark:text-green-200 dark:ring-green-800`}>
        Enabled
      </span>
    );
  }
  if (!schedule.stoppedReason) {
    return (
      <span data-testid="schedule-status" className={`${pill} bg-slate-100 text-slate-800 ring-slate-300 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600`}>
        Paused
      </span>
    );
  }
  return (
    <span data-testid="schedule-status" className="block max-w-xs">
      <span className={`${pill} bg-red-50 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-200 dark:ring-red-800`}>Stopped</span>
      <span data-testid="stopped-reason" className="mt-1 block text-xs font-medium break-words text-red-800 dark:text-red-300">
        {schedule.stoppedReason}
      </span>
    </span>
  );
}
