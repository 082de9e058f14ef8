import type { JobProgress } from '@shelf/contract';
import type { RunRecorder } from '@shelf/records';

/**
 * Stores and publishes a job's progress at most once per `intervalMs`; the latest value
 * always gets through, at the latest when {@link flush} is called.
 */
export class ProgressThrottle {
  /** The last progress the job reported, stored or not. */
  current: JobProgress | undefined;
  private unsent: JobProgress | undefined;
  private lastSentAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<unknown> | undefined;

  constructor(
    private readonly recorder: Pick<RunRecorder, 'progress'>,
    private readonly jobId: string,
    private readonly onError: (err: unknown) => void,
    private readonly intervalMs = 100,
  ) {}

  update(progress: JobProgress): void {
    this.current = progress;
    this.unsent = progress;
    this.schedule();
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    if (this.unsent) this.send();
    await this.inFlight;
  }

  private schedule(): void {
    if (this.timer || this.inFlight) return;
    const wait = Math.max(0, this.lastSentAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send();
    }, wait);
  }

  private send(): void {
    const progress = this.unsent;
    if (!progress) return;
    this.unsent = undefined;
    this.lastSentAt = Date.now();
    this.inFlight = this.recorder
      .progress(this.jobId, progress)
      .catch(this.onError)
      .finally(() => {
        this.inFlight = undefined;
        if (this.unsent) this.schedule();
      });
  }
}
