import { JobState, type JobDetailAnswer, type JobSummary } from '@shelf/contract';
import { ExitCode } from './exitCodes.js';
import { followJob } from './followJob.js';
import type { Output } from './output.js';
import { jobProgress } from './progress.js';
import type { ShelfClient } from './shelfClient.js';

/** The exit code that mirrors how a job ended. */
export function exitCodeOf(state: JobSummary['state']): ExitCode {
  if (state === JobState.SUCCEEDED) return ExitCode.OK;
  if (state === JobState.FAILED) return ExitCode.FAILED;
  return ExitCode.ENDED;
}

/**
 * Waits for a job to end — printing its log live when `logs` is set, a progress bar from its
 * `::progress` on a terminal — then says how it ended and prints its outputs as JSON (or, with
 * --json, the job's detail). Returns the exit code that mirrors the job.
 */
export async function watchJob(client: ShelfClient, out: Output, jobId: string, opts: { logs: boolean; after?: number }): Promise<ExitCode> {
  const c = out.color;
  const progress = jobProgress(out);
  // With --json, stdout carries the one JSON document; the log goes to stderr.
  const logTo = (stream: string) => (out.json || stream !== 'stdout' ? out.stderr : out.stdout);
  let lastState: string | undefined;
  let job: JobDetailAnswer;
  try {
    job = await followJob(
      client,
      jobId,
      {
        onLine: opts.logs
          ? (l) => progress.log(() => logTo(l.stream).write(`${l.stream === 'system' ? c.dim(l.line) : l.line}\n`))
          : undefined,
        onJob: (j) => {
          if (j.state !== lastState && !out.json && process.stderr.isTTY) progress.log(() => out.note(c.dim(`· ${j.state.toLowerCase()}`)));
          lastState = j.state;
          if (j.state === JobState.RUNNING) progress.update(j.progress.percent, j.progress.message);
        },
        onReconnecting: (attempt) => progress.log(() => out.note(c.yellow(`connection lost; reconnecting (attempt ${attempt})…`))),
      },
      { after: opts.after },
    );
  } finally {
    progress.stop();
  }
  if (out.json) {
    out.data(job);
    return exitCodeOf(job.state);
  }
  reportEnd(out, job);
  if (job.outputs) out.data(job.outputs);
  return exitCodeOf(job.state);
}

/** One line on stderr: how the job ended, and why when it did not succeed. */
function reportEnd(out: Output, job: JobDetailAnswer): void {
  const c = out.color;
  const name = `job ${job.id} (${job.itemId}@${job.version})`;
  if (job.state === JobState.SUCCEEDED) return out.note(`${c.green('✓')} ${name} SUCCEEDED`);
  const why = job.error ? `: ${job.error.code} ${job.error.message}` : '';
  out.note(`${c.red('✗')} ${name} ${job.state}${why}`);
}
