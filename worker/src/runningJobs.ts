import { JobState } from '@shelf/contract';
import type { RunRecorder } from '@shelf/records';

/** Why a running job was stopped from outside. */
export class CancelRequested extends Error {
  constructor(readonly jobState: string) {
    super(`the job is ${jobState}`);
  }
}
export class WorkerShutdown extends Error {
  constructor() {
    super('the worker shut down before the job finished');
  }
}

interface Entry {
  controller: AbortController;
  /** Set once the job is RUNNING under our name; only then does its stored state mean anything to us. */
  started: boolean;
}

/** The jobs this worker is processing, each with the AbortController that stops it. */
export class RunningJobs {
  private readonly jobs = new Map<string, Entry>();

  get size(): number {
    return this.jobs.size;
  }

  /** The ids of the jobs being processed. */
  ids(): string[] {
    return [...this.jobs.keys()];
  }

  add(jobId: string): AbortSignal {
    const controller = new AbortController();
    this.jobs.set(jobId, { controller, started: false });
    return controller.signal;
  }

  markStarted(jobId: string): void {
    const entry = this.jobs.get(jobId);
    if (entry) entry.started = true;
  }

  delete(jobId: string): void {
    this.jobs.delete(jobId);
  }

  abort(jobId: string, reason: Error): boolean {
    const entry = this.jobs.get(jobId);
    entry?.controller.abort(reason);
    return entry !== undefined;
  }

  abortAll(reason: Error): void {
    for (const { controller } of this.jobs.values()) controller.abort(reason);
  }

  /**
   * Stops every started job whose stored state is no longer RUNNING. The cancel message is
   * fire-and-forget pub/sub, lost if it was sent while our subscriber was reconnecting;
   * this check makes a cancel (or a job declared lost elsewhere) stick anyway.
   */
  async enforceStates(recorder: Pick<RunRecorder, 'state'>): Promise<void> {
    for (const [jobId, entry] of this.jobs) {
      if (!entry.started || entry.controller.signal.aborted) continue;
      const state = await recorder.state(jobId);
      if (state !== null && state !== JobState.RUNNING) entry.controller.abort(new CancelRequested(state));
    }
  }
}
