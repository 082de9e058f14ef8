import type { JobState, JobSummary } from '@shelf/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { applyJobEvent } from '../../api/jobCache';
import { queryKeys } from '../../api/queryKeys';
import { errorText } from '../QueryState/QueryState';

export const canRetry = (state: JobState) => state === 'FAILED' || state === 'CANCELLED';
export const canCancel = (state: JobState) => state === 'QUEUED' || state === 'RUNNING';

interface Props {
  job: Pick<JobSummary, 'id' | 'state'>;
  onRetried: (newJobId: string) => void;
  size?: 'sm' | 'md';
}

/** Retry (FAILED, CANCELLED) and cancel (QUEUED, RUNNING) for one job. */
export function JobActions({ job, onRetried, size = 'md' }: Props) {
  const client = useQueryClient();
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
            disabled={retry.isPending}
            onClick={() => retry.mutate()}
            aria-label={`Retry job ${job.id}`}
          >
            {retry.isPending ? 'Retrying…' : 'Retry'}
          </button>
        )}
        {canCancel(job.state) && (
          <button
            type="button"
            className={`btn-danger ${pad}`}
            disabled={cancel.isPending}
            onClick={() => cancel.mutate()}
            aria-label={`Cancel job ${job.id}`}
          >
            {cancel.isPending ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-300">
          {errorText(error)}
        </p>
      )}
    </div>
  );
}
