import { JobState, type JobSummary } from '@shelf/contract';
import type { JobRecords } from '@shelf/records';
import { canActOnJob } from '../auth/policy.js';
import type { Principal } from '../auth/principal.js';
import { ConflictError } from '../errors.js';
import type { ApprovalTimeouts } from './approvalTimeouts.js';
import { check, found } from './enqueueJob.js';
import type { RunQueueSet } from './runQueueSet.js';

/**
 * QUEUED, RUNNING or AWAITING_APPROVAL → CANCELLED. The state changes first (atomically, from the
 * state just read), so a worker that picks the job up afterwards finds it cancelled and cannot
 * start it. A queued job also leaves the BullMQ queue; a running one's container is killed by the
 * worker that runs it, told over the cancel channel; a job awaiting approval (its submitter
 * withdrawing the request) leaves its approvers' inboxes, and its timeout is dropped.
 */
export async function cancelJob(deps: { records: JobRecords; queues: RunQueueSet; timeouts: ApprovalTimeouts }, id: string, by: Principal): Promise<JobSummary> {
  // A worker may move the job on between the read and the change; then look again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const summary = found(await deps.records.summary(id), id);
    check(canActOnJob(by, summary));
    const { state } = summary;
    if (state !== JobState.QUEUED && state !== JobState.RUNNING && state !== JobState.AWAITING_APPROVAL) {
      throw new ConflictError(`job ${id} has already finished (${state}); only a queued, running or awaiting job can be cancelled`, { state });
    }
    const cancelled = await deps.records.cancel(id, state, by.username);
    if (!cancelled) continue;
    if (state === JobState.AWAITING_APPROVAL) {
      await deps.timeouts.forget(id);
      return cancelled;
    }
    // A queued job a worker already holds is told to stop like a running one.
    const dequeued = state === JobState.QUEUED && (await removeFromQueue(deps, id));
    if (!dequeued) await deps.records.requestKill(id);
    return cancelled;
  }
  throw new ConflictError(`job ${id} kept changing state while being cancelled; try again`);
}

/** True when BullMQ dropped the job; false when a worker holds it already (it is locked). */
async function removeFromQueue(deps: { records: JobRecords; queues: RunQueueSet }, id: string): Promise<boolean> {
  try {
    return await deps.queues.remove(id, await deps.records.runsOn(id));
  } catch {
    return false;
  }
}
