import type { Schedule } from '@shelf/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { useMe } from '../../hooks/useMe';
import { sentence } from '../../lib/format';
import { can } from '../../lib/permissions';
import { ConfirmButton } from '../ConfirmButton/ConfirmButton';
import { errorText } from '../QueryState/QueryState';
import { shortJobId } from '../../lib/format';

const small = 'px-2 py-1 text-xs';

/** After a change: show the answer at once, then ask again for everything about schedules. */
function useScheduleChanged() {
  const client = useQueryClient();
  return (changed: Schedule | { deleted: string }) => {
    client.setQueryData<Schedule[]>(queryKeys.scheduleList(), (list) =>
      'deleted' in changed ? list?.filter((s) => s.id !== changed.deleted) : list?.map((s) => (s.id === changed.id ? changed : s)),
    );
    void client.invalidateQueries({ queryKey: queryKeys.schedules() });
  };
}

/** Why the signed-in user may not change schedules, if they may not (the server asks for the runner role). */
function useBlockedReason(): string | undefined {
  const { data: me } = useMe();
  const decision = can(me, 'run');
  return decision.allowed ? undefined : decision.reason;
}

/** Pause (`enabled: false`) or resume (`enabled: true`, which also clears a stopped reason). */
export function ScheduleToggle({ schedule }: { schedule: Schedule }) {
  const changed = useScheduleChanged();
  const reason = useBlockedReason();
  const toggle = useMutation({
    mutationFn: () => api.updateSchedule(schedule.id, { enabled: !schedule.enabled }),
    onSuccess: changed,
  });
  const verb = schedule.enabled ? 'Pause' : 'Resume';
  return (
    <span className="inline-flex flex-col items-start gap-1">
      <button
        type="button"
        className={`btn-secondary ${small}`}
        disabled={toggle.isPending || !!reason}
        title={reason}
        aria-label={`${verb} schedule ${schedule.name}`}
        onClick={() => toggle.mutate()}
      >
        {toggle.isPending ? (schedule.enabled ? 'Pausing…' : 'Resuming…') : verb}
      </button>
      {toggle.isError && (
        <span role="alert" className="text-xs text-red-700 dark:text-red-300">
          {sentence(errorText(toggle.error))}
        </span>
      )}
    </span>
  );
}

/** A schedule's row actions: pause/resume, run now (linking to the job it started) and delete. */
export function ScheduleActions({ schedule }: { schedule: Schedule }) {
  const client = useQueryClient();
  const changed = useScheduleChanged();
  const reason = useBlockedReason();
  const reasonId = useId();
  const runNow = useMutation({
    mutationFn: () => api.runSchedule(schedule.id),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: queryKeys.schedules() });
      void client.invalidateQueries({ queryKey: queryKeys.jobLists() });
    },
  });
  const remove = useMutation({
    mutationFn: () => api.deleteSchedule(schedule.id),
    onSuccess: () => changed({ deleted: schedule.id }),
  });
  const started = runNow.data?.jobId;
  return (
    <div className="flex flex-col items-start gap-1">
      <div className="flex flex-wrap items-start gap-2">
        <ScheduleToggle schedule={schedule} />
        <button
          type="button"
          className={`btn-secondary ${small}`}
          disabled={runNow.isPending || !!reason}
          title={reason}
          aria-describedby={reason ? reasonId : undefined}
          aria-label={`Run now: ${schedule.name}`}
          onClick={() => runNow.mutate()}
        >
          {runNow.isPending ? 'Starting…' : 'Run now'}
        </button>
        {reason ? (
          <button type="button" className={`btn-danger ${small}`} disabled title={reason} aria-describedby={reasonId}>
            Delete
          </button>
        ) : (
          <ConfirmButton
            label="Delete"
            name={`Delete schedule ${schedule.name}`}
            question="Delete this schedule? It will not run again."
            confirmLabel="Delete"
            pending={remove.isPending}
            onConfirm={() => remove.mutate()}
          />
        )}
      </div>
      {reason && (
        <span id={reasonId} className="sr-only">
          {reason}
        </span>
      )}
      {started && (
        <p role="status" className="text-xs">
          Started{' '}
          <Link to={`/jobs/${encodeURIComponent(started)}`} className="link font-mono" title={started} aria-label={`job ${started}`}>
            job {shortJobId(started)}
          </Link>
        </p>
      )}
      {runNow.isError && (
        <p role="alert" className="max-w-xs text-xs break-words text-red-700 dark:text-red-300">
          {sentence(errorText(runNow.error))}
        </p>
      )}
      {remove.isError && (
        <p role="alert" className="max-w-xs text-xs text-red-700 dark:text-red-300">
          Could not delete it: {errorText(remove.error)}
        </p>
      )}
    </div>
  );
}
