import WebSocket from 'ws';
import { finishedStates, parseServerMessage, wsJobsPath, type ClientMessage, type JobDetailAnswer, type JobSummary, type LogLine } from '@shelf/contract';
import { CliError } from './cliError.js';
import type { ShelfClient } from './shelfClient.js';

export interface FollowHandlers {
  /** Each log line once, in seq order; absent: the log is not followed (`--wait`). */
  onLine?: (line: Pick<LogLine, 'seq' | 'stream' | 'line'>) => void;
  /** The job's summary whenever it changes (state, `::progress`). */
  onJob?: (job: JobSummary) => void;
  /** The connection dropped and is being re-established. */
  onReconnecting?: (attempt: number) => void;
}

export interface FollowOptions {
  /** Print lines after this seq (0: the whole log). */
  after?: number;
  /** First reconnect delay; it doubles per failed attempt up to 10 s. */
  baseDelayMs?: number;
  /** Consecutive failed connection attempts before giving up. */
  maxAttempts?: number;
}

/** The server pings every 30 s; this long without a sign of life means the connection is dead. */
const silenceMs = 75_000;

type Outcome = { kind: 'finished' } | { kind: 'dropped'; opened: boolean; why: string };

/**
 * Follows a job until it ends, over `/ws/jobs`: subscribes with `after` = the last seq printed,
 * so after a dropped connection it resubscribes and the server replays exactly the lines missed
 * (no gap, no line twice; lines at or below the last seq are ignored whatever happens). When the
 * job ends, the rest of its log is read over HTTP, since its last lines may still be in flight.
 * Resolves with the finished job's detail.
 */
export async function followJob(client: ShelfClient, jobId: string, handlers: FollowHandlers, opts: FollowOptions = {}): Promise<JobDetailAnswer> {
  const state = { lastSeq: opts.after ?? 0 };
  const maxAttempts = opts.maxAttempts ?? 8;
  let failures = 0;
  for (;;) {
    const outcome = await connectOnce(client, jobId, handlers, state);
    if (outcome.kind === 'finished') break;
    failures = outcome.opened ? 1 : failures + 1;
    if (failures > maxAttempts) {
      throw new CliError(`lost the live connection to Shelf at ${client.target.url} (${outcome.why}); the job goes on: follow it again with \`shelf logs ${jobId} --follow\``);
    }
    handlers.onReconnecting?.(failures);
    const delay = Math.min(10_000, (opts.baseDelayMs ?? 300) * 2 ** (failures - 1));
    await new Promise((r) => setTimeout(r, delay * (0.75 + Math.random() / 2)));
  }
  if (handlers.onLine) await readRest(client, jobId, handlers.onLine, state);
  return client.get<JobDetailAnswer>(`/api/jobs/${encodeURIComponent(jobId)}`);
}

/** The log lines after `state.lastSeq`, over HTTP, page by page. */
export async function readRest(client: ShelfClient, jobId: string, onLine: NonNullable<FollowHandlers['onLine']>, state: { lastSeq: number }): Promise<void> {
  for (;;) {
    const page = await client.get<{ items: LogLine[]; next: number }>(`/api/jobs/${encodeURIComponent(jobId)}/logs?after=${state.lastSeq}`);
    const before = state.lastSeq;
    for (const line of page.items) deliver(line, onLine, state);
    if (page.items.length === 0 || state.lastSeq === before) return;
  }
}

function deliver(line: Pick<LogLine, 'seq' | 'stream' | 'line'>, onLine: NonNullable<FollowHandlers['onLine']>, state: { lastSeq: number }): void {
  if (line.seq <= state.lastSeq) return;
  state.lastSeq = line.seq;
  onLine(line);
}

function isFinished(job: JobSummary): boolean {
  return finishedStates.includes(job.state);
}

function wsUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}${wsJobsPath}`;
}

/** One connection: resolves when the job has finished or the connection is gone. */
function connectOnce(client: ShelfClient, jobId: string, handlers: FollowHandlers, state: { lastSeq: number }): Promise<Outcome> {
  return new Promise<Outcome>((resolve, reject) => {
    const headers: Record<string, string> = client.target.token ? { authorization: `Bearer ${client.target.token}` } : {};
    const ws = new WebSocket(wsUrl(client.target.url), { headers, handshakeTimeout: 15_000 });
    let opened = false;
    let settled = false;
    let silence: NodeJS.Timeout | undefined;
    const settle = (outcome: Outcome | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(silence);
      ws.removeAllListeners('message');
      ws.on('error', () => {});
      ws.terminate();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const alive = () => {
      clearTimeout(silence);
      silence = setTimeout(() => settle({ kind: 'dropped', opened, why: 'no sign of life for 75 s' }), silenceMs);
    };
    const onJob = (job: JobSummary) => {
      handlers.onJob?.(job);
      if (isFinished(job)) settle({ kind: 'finished' });
    };

    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const reason = body.trim();
        if (res.statusCode === 401) return settle(new CliError('the token was refused; run `shelf login`'));
        if (res.statusCode === 403) return settle(new CliError(reason || 'Shelf refused the live connection (403)'));
        if (res.statusCode === 429 || res.statusCode === 503) return settle({ kind: 'dropped', opened, why: reason || `${res.statusCode}` });
        settle(new CliError(`Shelf refused the live connection (${res.statusCode}${reason ? `: ${reason}` : ''}); is SHELF_URL the address of Shelf?`));
      });
    });
    ws.on('open', () => {
      opened = true;
      alive();
      if (handlers.onLine) ws.send(JSON.stringify({ subscribe: jobId, after: state.lastSeq } satisfies ClientMessage));
      // The socket is open, so every change from now on arrives as an event; this covers what came before.
      client.get<JobDetailAnswer>(`/api/jobs/${encodeURIComponent(jobId)}`).then(onJob, (err: unknown) => settle(err as Error));
    });
    ws.on('ping', alive);
    ws.on('message', (data: WebSocket.RawData) => {
      alive();
      const message = parseServerMessage(data.toString());
      if (!message || settled) return;
      if (message.type === 'log' && message.jobId === jobId && handlers.onLine) deliver(message, handlers.onLine, state);
      else if (message.type === 'job' && message.job.id === jobId) onJob(message.job);
      else if (message.type === 'error' && message.jobId === jobId) settle(new CliError(message.message));
    });
    ws.on('error', (err: NodeJS.ErrnoException) => settle({ kind: 'dropped', opened, why: err.code ?? err.message }));
    ws.on('close', (code: number) => settle({ kind: 'dropped', opened, why: `closed (${code})` }));
  });
}
