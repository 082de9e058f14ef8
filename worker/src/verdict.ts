import { formatBytes, JobErrorCode, JobState, reportedError, type JobLimits } from '@shelf/contract';
import type { RunOutcome } from '@shelf/records';
import { readOutputFile } from './runFolder.js';
import type { RunResult } from './runners/runner.js';
import { WorkerShutdown } from './runningJobs.js';

/** How a run ends for the user: what RunRecorder.finish records. */
export type Verdict = RunOutcome;

/** Reads a finished run: what stopped it, then its exit code, then its outputs. */
export async function judgeRun(
  result: RunResult,
  abortReason: unknown,
  limits: JobLimits,
  outputFile: string,
  maxOutputBytes: number,
): Promise<Verdict> {
  const exitCode = result.exitCode >= 0 ? result.exitCode : null;
  const fail = (code: JobErrorCode, message: string): Verdict => ({ state: JobState.FAILED, exitCode, error: { code, message } });
  if (result.aborted) {
    if (abortReason instanceof WorkerShutdown) return fail(JobErrorCode.LOST, abortReason.message);
    return { state: JobState.CANCELLED, exitCode };
  }
  if (result.timedOut) {
    return fail(JobErrorCode.TIMEOUT, `the job ran longer than its ${limits.timeoutSeconds} s timeout and was stopped`);
  }
  if (result.oomKilled) {
    return fail(JobErrorCode.OOM, `the job ran out of memory (limit ${formatBytes(limits.memoryBytes)}) and was killed`);
  }
  if (result.exitCode !== 0) return exitFailure(result.exitCode, outputFile, maxOutputBytes);
  const output = await readOutputFile(outputFile, maxOutputBytes);
  if (!output.ok) return fail(JobErrorCode.OUTPUT, output.message);
  return { state: JobState.SUCCEEDED, exitCode: 0, outputs: output.outputs };
}

/**
 * A script that exits non-zero may say why (the sandbox protocol's `{"error": "<one sentence>"}`):
 * its outputs are kept, read under the same rules as a success's, and their `error` leads the
 * message. Outputs that break those rules are not kept, and the message says so instead.
 */
async function exitFailure(exitCode: number, outputFile: string, maxOutputBytes: number): Promise<Verdict> {
  const output = await readOutputFile(outputFile, maxOutputBytes);
  const outputs = output.ok ? output.outputs : null;
  const reason = reportedError(outputs);
  let message = reason ? `${reason} (exit code ${exitCode})` : `the script exited with code ${exitCode}`;
  if (!output.ok) message += ` (its outputs were not kept: ${output.message})`;
  return { state: JobState.FAILED, exitCode, error: { code: JobErrorCode.EXIT, message }, outputs };
}
