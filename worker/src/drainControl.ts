import { WorkerState } from '@shelf/contract';
import type { Worker } from 'bullmq';
import type { Logger } from './logger.js';

/**
 * Drains and resumes this worker's BullMQ worker as an admin asks, and says which state it is in.
 *
 * A drain is BullMQ's `pause()`, which stops taking jobs at once (it also interrupts a wait for
 * the next job, which `pause(true)` would not: that wait could still hand over one job) and
 * resolves once the running jobs have finished: `draining` until then, `drained` after.
 * BullMQ cannot resume a pause that is still waiting for its jobs, so a resume asked meanwhile
 * takes effect when they have finished. A shutdown is `draining` whatever an admin asks.
 */
export class DrainControl {
  private wanted: 'active' | 'drain' = 'active';
  private paused = false;
  private drained = false;
  private closing = false;
  /** The pending or finished BullMQ pause of the current drain. */
  private pausing: Promise<void> = Promise.resolve();
  private resumeWaiting = false;

  constructor(
    private readonly worker: Pick<Worker, 'pause' | 'resume'>,
    /** Called on every change of state, so the registry hears of it before the next beat. */
    private readonly onChange: () => void,
    private readonly logger: Logger,
  ) {}

  get state(): WorkerState {
    if (this.closing) return WorkerState.draining;
    if (!this.paused) return WorkerState.active;
    return this.drained ? WorkerState.drained : WorkerState.draining;
  }

  /** What an admin wants now (read at every beat, or told on the channel); repeating it changes nothing. */
  want(drain: boolean): void {
    this.wanted = drain ? 'drain' : 'active';
    if (this.closing) return;
    if (drain && !this.paused) this.drain();
    else if (!drain && this.paused && !this.resumeWaiting) {
      this.resumeWaiting = true;
      void this.pausing.then(() => {
        this.resumeWaiting = false;
        if (!this.closing && this.paused && this.wanted === 'active') this.resume();
      });
    }
  }

  /** The worker is stopping: `draining` from now on, and no drain or resume touches BullMQ any more. */
  close(): void {
    this.closing = true;
    this.onChange();
  }

  private drain(): void {
    this.paused = true;
    this.drained = false;
    this.logger.info('drain requested: taking no new jobs, finishing the running ones');
    const pausing = this.worker.pause().then(
      () => {
        if (this.pausing !== pausing) return;
        this.drained = true;
        this.logger.info('drained: no job running, taking none');
        this.onChange();
      },
      (err: unknown) => this.logger.warn({ err }, 'could not pause the worker cleanly'),
    );
    this.pausing = pausing;
    this.onChange();
  }

  private resume(): void {
    this.paused = false;
    this.drained = false;
    this.worker.resume();
    this.logger.info('resumed: taking jobs again');
    this.onChange();
  }
}
