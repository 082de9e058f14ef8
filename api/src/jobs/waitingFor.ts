import { coversLabels, describeLabels, isWorkerFresh, WorkerState, type WaitingFor, type WorkerHeartbeat } from '@shelf/contract';
import type { WorkerRegistry } from '@shelf/records';

/** Heartbeats are found by SCAN, so one listing serves the job pages opened within a second or two. */
const listingMs = 2000;

/**
 * Why a queued job sits: no live worker that takes jobs has every label it asks for. The job
 * page says so instead of showing a queue that never moves; once such a worker beats, the
 * reason is gone and the worker takes the job.
 */
export function waitingReason(runsOn: readonly string[], beats: readonly WorkerHeartbeat[], now = Date.now()): WaitingFor | undefined {
  const live = beats.filter((b) => isWorkerFresh(b, now));
  const able = live.filter((b) => coversLabels(b.labels, runsOn));
  if (able.some((b) => b.state === WorkerState.active)) return undefined;
  const wanted = runsOn.length === 0 ? 'a worker' : `a worker with ${runsOn.length === 1 ? 'label' : 'labels'} ${runsOn.join(', ')}`;
  let why: string;
  if (live.length === 0) why = 'no worker is running';
  else if (able.length === 0) why = `no live worker has ${runsOn.length === 1 ? 'it' : 'them all'} (${live.map((b) => `${b.workerId}: ${describeLabels(b.labels)}`).join('; ')})`;
  else why = `${able.length === 1 ? `worker ${able[0]!.workerId}, the one that has ${runsOn.length === 1 ? 'it' : 'them'}, is` : `the ${able.length} workers that have them are`} draining or drained`;
  return { labels: [...runsOn], reason: `waiting for ${wanted}: ${why}` };
}

/** The live fleet as the job pages ask about it, listed at most every {@link listingMs}. */
export class FleetView {
  private last: { at: number; beats: Promise<WorkerHeartbeat[]> } | undefined;

  constructor(private readonly registry: Pick<WorkerRegistry, 'list'>) {}

  async waitingFor(runsOn: readonly string[]): Promise<WaitingFor | undefined> {
    if (!this.last || Date.now() - this.last.at > listingMs) this.last = { at: Date.now(), beats: this.registry.list() };
    const { at, beats: listing } = this.last;
    const beats = await listing.catch((err: unknown) => {
      this.last = undefined;
      throw err;
    });
    // Judged as of the listing: a worker beating every 500 ms would otherwise look stale in a listing 2 s old.
    return waitingReason(runsOn, beats, at);
  }
}
