export interface HostGateOptions {
  /** Syncs of one host at once: its share of the consumer's slots, so it never takes them all. */
  perHost: number;
  /** How long a host that timed out is left alone; doubles with each timeout in a row. */
  backoffMs: number;
  maxBackoffMs: number;
  /** How soon a job whose host has no free share looks again. */
  busyRetryMs: number;
}

export const defaultHostGateOptions = { backoffMs: 30_000, maxBackoffMs: 10 * 60_000, busyRetryMs: 1000 };

/** What a sync learnt of its host: it answered (even with an error), it timed out, or it was never asked. */
export type HostVerdict = 'answered' | 'untried' | { timedOut: string };

/** Hold it while the sync runs; give it back with what the sync learnt of the host. */
export interface HostPass {
  release: (verdict: HostVerdict) => void;
}

export type Admission = { pass: HostPass } | { waitUntil: number; reason: string };

interface SlowHost {
  until: number;
  backoffMs: number;
  why: string;
}

/**
 * Which sync may talk to which git host now. A host gets at most `perHost` syncs at once, so
 * syncs to one host that hangs cannot hold every consumer slot. A host that timed out is left
 * alone for a while (growing while it keeps timing out) and then tried by one sync at a time
 * until it answers, so retries and other syncs queued for it do not each pay its timeout again.
 * State lives in this process: the API runs the only consumer, and a slot dies with a crashed
 * process instead of leaking in Redis.
 */
export class HostGate {
  private readonly running = new Map<string, number>();
  private readonly slow = new Map<string, SlowHost>();

  constructor(private readonly opts: HostGateOptions) {}

  enter(host: string, now = Date.now()): Admission {
    const slow = this.slow.get(host);
    if (slow && now < slow.until) {
      return { waitUntil: slow.until, reason: `waiting until ${new Date(slow.until).toISOString()}: ${host} timed out last time (${slow.why})` };
    }
    const limit = slow ? 1 : this.opts.perHost;
    const busy = this.running.get(host) ?? 0;
    if (busy >= limit) {
      const why = slow ? `${host} timed out last time, so it is tried by one sync at a time until it answers` : `${host} may have ${limit} at a time`;
      return { waitUntil: now + this.opts.busyRetryMs, reason: `waiting for another sync of ${host} to finish: ${why}` };
    }
    this.running.set(host, busy + 1);
    let released = false;
    return {
      pass: {
        release: (verdict) => {
          if (released) return;
          released = true;
          const left = (this.running.get(host) ?? 1) - 1;
          if (left > 0) this.running.set(host, left);
          else this.running.delete(host);
          this.record(host, verdict);
        },
      },
    };
  }

  private record(host: string, verdict: HostVerdict): void {
    if (verdict === 'untried') return;
    if (verdict === 'answered') {
      this.slow.delete(host);
      return;
    }
    const previous = this.slow.get(host);
    const backoffMs = previous ? Math.min(previous.backoffMs * 2, this.opts.maxBackoffMs) : this.opts.backoffMs;
    this.slow.set(host, { until: Date.now() + backoffMs, backoffMs, why: verdict.timedOut });
  }
}

/**
 * What the gate counts as one host: scheme-less `host:port` of a URL, the host of an scp-like
 * `git@host:path`, and the local disk for `file://` repositories.
 */
export function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'file:') return 'the local disk';
    if (parsed.host) return parsed.host;
  } catch {
    // not a URL: scp-like below
  }
  return /^(?:[^@/]+@)?([^:/]+):/.exec(url)?.[1] ?? url;
}
