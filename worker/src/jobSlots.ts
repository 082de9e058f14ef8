/**
 * The worker's SHELF_WORKER_CONCURRENCY, shared by the BullMQ workers of all the run queues it
 * consumes: each of them may take up to that many jobs, but only `size` run at once. A job that
 * finds every slot busy waits a moment for one (see RunQueueWorkers).
 */
export class JobSlots {
  private used = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly size: number) {}

  get busy(): number {
    return this.used;
  }

  /**
   * A slot, as soon as one is free and within `waitMs`; its release function, or undefined when
   * none came free in time. Waiters are served in arrival order.
   */
  async take(waitMs: number): Promise<(() => void) | undefined> {
    if (this.used < this.size && this.waiters.length === 0) return this.grant();
    return new Promise((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve(this.grant());
      };
      const timer = setTimeout(() => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        resolve(undefined);
      }, waitMs);
      this.waiters.push(waiter);
    });
  }

  private grant(): () => void {
    this.used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
      // The freed slot goes straight to the longest waiter, so a new arrival cannot overtake it.
      if (this.used < this.size) this.waiters.shift()?.();
    };
  }
}
