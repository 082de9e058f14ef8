import { retryableStates, type JobState, type JobSummary } from '@shelf/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { api } from '../../api/client';
import { applyJobEvent } from '../../api/jobCache';
import { queryKeys } from '../../api/queryKeys';
import { useMe } from '../../hooks/useMe';
import { canActOnJob } from '../../lib/permissions';
import { errorText } from '../QueryState/QueryState';

export const canRetry = (state: JobState) => retryableStates.includes(state);
/** Cancelling a job awaiting approval withdraws the request. */
export const canCancel = (state: JobState) => state === 'QUEUED' || state === 'RUNNING' || state === 'AWAITING_APPROVAL';

interface Props {
  job: Pick<JobSummary, 'id' | 'state' | 'submittedBy'>;
  onRetried: (newJobId: string) => void;
  size?: 'sm' | 'md';
}

/** Retry (FAILED, CANCELLED, REJECTED, EXPIRED) and cancel (QUEUED, RUNNING, AWAITING_APPROVAL) for one job; disabled, with the reason, for whoever may not. */
export function JobActions({ job, onRetried, size = 'md' }: Props) {
  const client = useQueryClient();
  const { data: me } = useMe();
  const decision = canActOnJob(me, job);
  const reason = decision.allowed ? undefined : decision.reason;
  const reasonId = useId();
  const retry = useMutation({
    mutationFn: () => api.retryJob(job.id),
    onSuccess: ({ id }) => {
      void client.invalidateQueries({ queryKey: queryKeys.jobLists() });
      onRetried(id);
    },
  });
  const cancel = useMutation({
    mutationFn: () => api.cancelJob(job.id),
    onSuccess: (summary) => applyJobEvent(client, summary),
  });
  const pad = size === 'sm' ? 'px-2 py-1 text-xs' : '';
  const error = retry.error ?? cancel.error;
  return (
    <div className="flex flex-col items-start gap-1">
      <div className="flex gap-2">
        {canRetry(job.state) && (
          <button
            type="button"
            className={`btn-secondary ${pad}`}
            disabled={retry.isPending || !!reason}
            onClick={() => retry.mutate()}
            aria-label={`Retry job ${job.id}`}
            title={reason}
            aria-describedby={reason ? reasonId : undefined}
          >
            {retry.isPending ? 'Retrying…' : 'Retry'}
          </button>
        )}
        {canCancel(job.state) && (
          <button
            type="button"
            className={`btn-danger ${pad}`}
            disabled={cancel.isPending || !!reason}
            onClick={() => cancel.mutate()}
            aria-label={`Cancel job ${job.id}`}
            title={reason}
            aria-describedby={reason ? reasonId : undefined}
          >
            {cancel.isPending ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
      {reason && (canRetry(job.state) || canCancel(job.state)) && (
        // In a table row the tooltip and screen readers carry it; on the job page everyone sees it.
        <span id={reasonId} className={size === 'sm' ? 'sr-only' : 'muted max-w-xs text-xs'}>
          {reason}
        </span>
      )}
      {error && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-300">
          {errorText(error)}
        </p>
      )}
    </div>
  );
}
