import { coversLabels, describeLabels, type RunJobData } from '@shelf/contract';
import type { RunQueueRef } from '@shelf/records';
import { WaitingError, Worker, type Job, type Processor, type WorkerOptions } from 'bullmq';
import { JobSlots } from './jobSlots.js';
import type { Logger } from './logger.js';

/**
 * How long a job taken while every slot is busy waits for one before it goes back to the head of
 * its queue: long enough that a saturated worker hands a job back about once a second, not in a
 * tight loop; short enough that an idle worker elsewhere gets it within a second.
 */
export const slotWaitMs = 1000;

export interface RunQueueWorkersOptions<R> {
  /** This worker's routing labels: it consumes every run queue whose labels it has. */
  labels: string[];
  /** SHELF_WORKER_CONCURRENCY, shared by all its queues. */
  concurrency: number;
  process: Processor<RunJobData, R>;
  /** The BullMQ options of each queue's worker (connection, prefix, locks…); concurrency and autorun are set here. */
  workerOptions: Omit<WorkerOptions, 'concurrency' | 'autorun'>;
  /** Attaches the event handlers (failed, error, stalled) to a new BullMQ worker. */
  onWorker: (worker: Worker<RunJobData, R>) => void;
  logger: Logger;
}

/**
 * One Shelf worker's consumers of the run queues (contract/workerLabels.ts): a BullMQ worker per
 * queue its labels cover — the plain one always — all drawing on one set of job slots, and
 * paused, resumed and closed together (drain, shutdown). A queue recorded later (an item asking
 * for a new label set) is added while the worker runs.
 */
export class RunQueueWorkers<R> {
  private readonly workers = new Map<string, Worker<RunJobData, R>>();
  private readonly slots: JobSlots;
  private paused = false;
  private closed = false;

  constructor(private readonly opts: RunQueueWorkersOptions<R>) {
    this.slots = new JobSlots(opts.concurrency);
  }

  /** The queues consumed, by name. */
  get queues(): string[] {
    return [...this.workers.keys()];
  }

  /** Starts consuming `queue` when this worker has every label it asks for (once; later calls change nothing). */
  async consider(queue: RunQueueRef): Promise<boolean> {
    if (this.closed || this.workers.has(queue.name) || !coversLabels(this.opts.labels, queue.labels)) return false;
    const worker = new Worker<RunJobData, R>(queue.name, (job, token) => this.run(job, token), {
      ...this.opts.workerOptions,
      // Each queue may fill every slot; the slots keep the total to SHELF_WORKER_CONCURRENCY.
      concurrency: this.opts.concurrency,
      autorun: false,
    });
    this.workers.set(queue.name, worker);
    this.opts.onWorker(worker);
    await worker.waitUntilReady();
    if (this.paused) await worker.pause(true);
    if (this.closed) return false;
    worker.run().catch((err: unknown) => this.opts.logger.error({ err, queue: queue.name }, 'run queue consumer stopped with an error'));
    this.opts.logger.info({ queue: queue.name }, `taking the jobs of items that ask for ${describeLabels(queue.labels)}`);
    return true;
  }

  /** Takes no new job from any queue; resolves once the running ones have finished. */
  async pause(): Promise<void> {
    this.paused = true;
    await Promise.all([...this.workers.values()].map((w) => w.pause()));
  }

  resume(): void {
    this.paused = false;
    for (const w of this.workers.values()) w.resume();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.workers.values()].map((w) => w.close()));
  }

  /**
   * Runs a job in a free slot. A job taken while all are busy (another queue's jobs fill them)
   * waits a moment for one, then goes back to the head of its queue untouched — not an attempt,
   * not a failure — for this worker or another to take again.
   */
  private async run(job: Job<RunJobData, R>, token?: string): Promise<R> {
    const release = await this.slots.take(slotWaitMs);
    if (!release) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    try {
      return await this.opts.process(job, token);
    } finally {
      release();
    }
  }
}
