import { JobErrorCode, JobState, reportedError, type JobDetail } from '@shelf/contract';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';

/** Failures of a script that ran: its log's last stderr lines are likely to say why. */
const scriptFailures: readonly string[] = [JobErrorCode.EXIT, JobErrorCode.TIMEOUT, JobErrorCode.OOM, JobErrorCode.OUTPUT];
/** How many stderr lines the banner quotes. */
export const stderrTailLines = 5;

// Colours and cursor moves would show as noise in plain text (the log viewer renders them).
// eslint-disable-next-line no-control-regex
const ansiSequence = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * Why a job ended, at the top of its page: the error's code and message — which leads with the
 * script's own sentence when it reported one (an `error` in $SHELF_OUTPUT) — and otherwise, for a
 * script that ran and failed, the last lines it wrote to stderr (already masked by the worker).
 */
export function FailureBanner({ job }: { job: Pick<JobDetail, 'id' | 'state' | 'error' | 'outputs'> }) {
  const { error } = job;
  const wantsTail = job.state === JobState.FAILED && !!error && scriptFailures.includes(error.code) && !reportedError(job.outputs);
  const tail = useQuery({
    queryKey: queryKeys.jobStderrTail(job.id),
    queryFn: ({ signal }) => api.jobLogTail(job.id, stderrTailLines, 'stderr', signal),
    enabled: wantsTail,
    staleTime: Infinity,
  });
  if (!error) return null;
  const lines = wantsTail ? (tail.data ?? []).map((l) => l.line.replace(ansiSequence, '')) : [];
  return (
    <div
      data-testid="job-failure"
      className="mt-4 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      <p>
        <span className="font-mono text-xs font-semibold">{error.code}</span> <span className="break-words">{error.message}</span>
      </p>
      {lines.length > 0 && (
        <figure className="mt-2">
          <figcaption className="text-xs font-semibold">{lines.length === 1 ? 'The last line on stderr' : `The last ${lines.length} lines on stderr`}</figcaption>
          {/* Focusable: a long line scrolls inside its box, and keyboard users must be able to scroll it too. */}
          <pre
            data-testid="job-failure-stderr"
            tabIndex={0}
            className="mt-1 max-h-40 overflow-auto rounded bg-white/70 p-2 font-mono text-xs break-words whitespace-pre-wrap focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:bg-black/30"
          >
            {lines.join('\n')}
          </pre>
        </figure>
      )}
    </div>
  );
}
