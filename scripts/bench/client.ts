import { finishedStates, JobState, type JobSummary, type ServerMessage } from '@shelf/contract';
import { WebSocket } from 'ws';
import { benchAuth } from './shelf.js';
import { now } from './stats.js';

/** What one WebSocket client saw of one job: when each state first showed up. */
interface Sighting {
  running?: number;
  finished?: number;
  final?: JobSummary;
}

type Waiter = { until: 'running' | 'finished'; resolve: (at: number) => void };

/**
 * A WebSocket client of `/ws/jobs` that notes when each job was first seen RUNNING and
 * finished, the way a browser tab sees it. Latency is measured from these sightings.
 */
export class JobWatcher {
  private readonly seen = new Map<string, Sighting>();
  private readonly waiters = new Map<string, Waiter[]>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const at = now();
      const message = JSON.parse(String(data)) as ServerMessage;
      if (message.type === 'job') this.onJob(message.job, at);
    });
  }

  static async open(wsUrl: string): Promise<JobWatcher> {
    const socket = new WebSocket(wsUrl, { headers: benchAuth });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new JobWatcher(socket);
  }

  /** Resolves with the time the job was first seen in that state (or finished), possibly already. */
  async wait(jobId: string, until: 'running' | 'finished', timeoutMs: number): Promise<number> {
    const known = this.seen.get(jobId)?.[until];
    if (known !== undefined) return known;
    let timer: NodeJS.Timeout | undefined;
    const seen = new Promise<number>((resolve) => {
      const list = this.waiters.get(jobId) ?? [];
      list.push({ until, resolve });
      this.waiters.set(jobId, list);
    });
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`job ${jobId} not ${until} within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([seen, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last summary of a finished job. */
  final(jobId: string): JobSummary | undefined {
    return this.seen.get(jobId)?.final;
  }

  /** Throws unless the job ended SUCCEEDED. */
  assertSucceeded(jobId: string): void {
    const job = this.final(jobId);
    if (job?.state !== JobState.SUCCEEDED) {
      throw new Error(`job ${jobId} ended ${job?.state ?? 'unseen'}${job?.error ? `: ${job.error.code} ${job.error.message}` : ''}`);
    }
  }

  forget(jobId: string): void {
    this.seen.delete(jobId);
  }

  close(): void {
    this.socket.close();
  }

  private onJob(job: JobSummary, at: number): void {
    let s = this.seen.get(job.id);
    if (!s) this.seen.set(job.id, (s = {}));
    // A job that finished also ran, even if its RUNNING event was coalesced away.
    if (job.state === JobState.RUNNING || finishedStates.includes(job.state)) s.running ??= at;
    if (finishedStates.includes(job.state) && s.finished === undefined) {
      s.finished = at;
      s.final = job;
    }
    const list = this.waiters.get(job.id);
    if (!list) return;
    const still = list.filter((w) => {
      const when = s[w.until];
      if (when === undefined) return true;
      w.resolve(when);
      return false;
    });
    if (still.length) this.waiters.set(job.id, still);
    else this.waiters.delete(job.id);
  }
}

/** `POST /api/jobs`; the new job's id. */
export async function submitJob(url: string, itemId: string, inputs: Record<string, unknown> = {}): Promise<string> {
  const res = await shelfFetch(`${url}/api/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ itemId, inputs }),
  });
  const body = (await res.json()) as { id?: string; error?: { message: string } };
  if (res.status !== 202 || !body.id) throw new Error(`POST /api/jobs answered ${res.status}: ${body.error?.message ?? JSON.stringify(body)}`);
  return body.id;
}

/** `fetch` to the bench Shelf's API, with its bearer token. */
export function shelfFetch(url: string, init: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { ...benchAuth, ...init.headers } });
}

/** A GET of the bench Shelf's API that must answer 200; its JSON body. */
export async function getJson<T>(url: string): Promise<T> {
  const res = await shelfFetch(url);
  const text = await res.text();
  if (res.status !== 200) {
    const { pathname, search } = new URL(url);
    throw new Error(`GET ${pathname}${search} answered ${res.status}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text) as T;
}

/** A JSON POST to the bench Shelf's API. */
export async function postJson(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await shelfFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}
