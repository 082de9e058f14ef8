import type { Writable } from 'node:stream';
import type { JobLimits } from '@shelf/contract';

/** One sandboxed run of an item's command. */
export interface RunSpec {
  jobId: string;
  image: string;
  command: string[];
  /** Host folder of the unpacked bundle: the working directory, mounted read-only. */
  bundleDir: string;
  /** Host file with the validated inputs, mounted read-only at `$SHELF_INPUT`. */
  inputFile: string;
  /** Host file the job may write its outputs to, mounted read-write at `$SHELF_OUTPUT`. */
  outputFile: string;
  /** Host folder of the job's named secrets (tmpfs), mounted read-only at /run/secrets; absent when it has none. */
  secretsDir?: string;
  network: 'none' | 'egress';
  limits: JobLimits;
}

/** Where a run reports to; a `write()` returning false pauses the container's output until 'drain'. */
export interface RunOutput {
  stdout: Writable;
  stderr: Writable;
  /** The sandbox is running: creating and starting it took `ms` (the API's `shelf_container_start_seconds`). */
  started(ms: number): void;
}

/** How the process ended. Script failures are results; a runner throws only when it could not run at all. */
export interface RunResult {
  exitCode: number;
  oomKilled: boolean;
  timedOut: boolean;
  /** Stopped because `signal` was aborted (cancel or shutdown) — `signal.reason` says which. */
  aborted: boolean;
  durationMs: number;
}

/** Runs jobs in sandboxes. Docker today; chosen once at start-up. */
export interface Runner {
  /** Streams output until the process ends, enforcing the limits; the sandbox is gone when it resolves. */
  run(spec: RunSpec, output: RunOutput, signal: AbortSignal): Promise<RunResult>;
  /** Throws when the sandbox engine is unreachable. */
  ping(): Promise<void>;
  /** Removes every sandbox of this job id (a job declared lost); the number removed. */
  removeJob(jobId: string): Promise<number>;
  /** Removes sandboxes whose worker is neither `self` nor alive. The number removed. */
  sweepOrphans(isAlive: (workerId: string) => Promise<boolean>): Promise<number>;
}
