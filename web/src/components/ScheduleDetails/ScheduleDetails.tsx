import type { Schedule } from '@shelf/contract';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { scheduleRefreshMs } from '../../hooks/useSchedules';
import { ErrorMessage, Loading } from '../QueryState/QueryState';
import { RunTime } from '../RunTime/RunTime';
import { ScheduleRunOutcome } from '../ScheduleRunOutcome/ScheduleRunOutcome';

const heading = 'mb-2 text-xs font-semibold tracking-wide text-slate-700 uppercase dark:text-slate-300';

/** A schedule's next five runs and its recent runs (the newest first), with what each came to. */
export function ScheduleDetails({ schedule }: { schedule: Schedule }) {
  const runs = useQuery({
    queryKey: queryKeys.scheduleRuns(schedule.id),
    queryFn: ({ signal }) => api.scheduleRuns(schedule.id, signal),
    refetchInterval: scheduleRefreshMs,
    refetchOnWindowFocus: 'always',
  });
  return (
    <div className="grid grid-cols-1 gap-6 md:grid-cols-[minmax(12rem,1fr)_3fr]" data-testid="schedule-details">
      <section aria-label={`Next runs of ${schedule.name}`}>
        <h3 className={heading}>Next runs</h3>
        {schedule.nextRuns.length ? (
          <ol className="flex flex-col gap-1.5 text-sm" data-testid="next-runs">
            {schedule.nextRuns.map((at) => (
              <li key={at}>
                <RunTime at={at} />
              </li>
            ))}
          </ol>
        ) : (
          <p className="muted text-sm">None: it is {schedule.stoppedReason ? 'stopped' : 'paused'}.</p>
        )}
      </section>
      <section aria-label={`Recent runs of ${schedule.name}`}>
        <h3 className={heading}>Recent runs</h3>
        {runs.isPending ? (
          <Loading label="Loading the runs…" />
        ) : runs.isError ? (
          <ErrorMessage error={runs.error} title="Could not load the runs" onRetry={() => void runs.refetch()} />
        ) : !runs.data.length ? (
          <p className="muted text-sm">It has not run yet.</p>
        ) : (
          <ol className="flex flex-col divide-y divide-slate-100 text-sm dark:divide-slate-800" data-testid="recent-runs">
            {runs.data.map((run, i) => (
              <li key={`${run.at}-${i}`} className="flex flex-wrap items-start gap-x-4 gap-y-1 py-1.5" data-testid="schedule-run">
                <span className="w-48 shrink-0">
                  <RunTime at={run.at} />
                </span>
                <span className="min-w-0 flex-1">
                  <ScheduleRunOutcome run={run} />
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
