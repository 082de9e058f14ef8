import { parseServerMessage, type ClientMessage, type JobSummary, type ServerMessage } from '@shelf/contract';
import { LogBuffer, type LiveLine } from './logBuffer';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

interface LogSubscription {
  buffer: LogBuffer;
  listeners: Set<() => void>;
  notifyTimer?: ReturnType<typeof setTimeout>;
  /** Set while the stored backlog is being fetched over HTTP; the socket subscribes when it is done. */
  backlog?: AbortController;
}

/** One page of a job's stored log: `GET /api/jobs/:id/logs?after=N`. */
export type FetchLogPage = (jobId: string, after: number, signal: AbortSignal) => Promise<{ items: LiveLine[]; next: number }>;

export interface JobSocketOptions {
  WebSocket?: typeof WebSocket;
  /** First reconnect delay; it doubles per failed attempt up to `maxDelayMs`, with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Log lines arriving within this window are rendered together. */
  logBatchMs?: number;
  /**
   * Fetches the stored backlog of a log in large pages before subscribing: a browser handles
   * 100,000 WebSocket messages an order of magnitude slower than 20 HTTP pages of 5,000 lines.
   * Without it, the socket replays the whole log.
   */
  fetchLogPage?: FetchLogPage;
}

/**
 * The one WebSocket to `/ws/jobs`, shared by the whole app. It reconnects with backoff and, on
 * every (re)connect, resubscribes each open log with `after` = the last seq it holds, so a log
 * resumes without gaps or duplicates. A newly opened log first loads its stored lines over HTTP.
 */
export class JobSocket {
  private ws: WebSocket | undefined;
  private state: ConnectionState = 'connecting';
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private everOpened = false;
  private readonly stateListeners = new Set<() => void>();
  private readonly jobListeners = new Set<(job: JobSummary) => void>();
  private readonly reconnectListeners = new Set<() => void>();
  private readonly logs = new Map<string, LogSubscription>();
  private readonly WS: typeof WebSocket;

  constructor(
    private readonly url: string,
    private readonly options: JobSocketOptions = {},
  ) {
    this.WS = options.WebSocket ?? WebSocket;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    globalThis.addEventListener?.('online', this.reconnectNow);
    this.connect();
  }

  stop(): void {
    this.running = false;
    globalThis.removeEventListener?.('online', this.reconnectNow);
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = undefined;
    // Closing a socket that is still connecting makes the browser log an error; let it open first.
    if (ws?.readyState === this.WS.CONNECTING) ws.onopen = () => ws.close();
    else ws?.close();
  }

  getState = (): ConnectionState => this.state;

  onState = (listener: () => void): (() => void) => add(this.stateListeners, listener);
  onJob = (listener: (job: JobSummary) => void): (() => void) => add(this.jobListeners, listener);
  /** Called after a reconnect: job events sent while the socket was down were missed. */
  onReconnect = (listener: () => void): (() => void) => add(this.reconnectListeners, listener);

  logBuffer(jobId: string): LogBuffer | undefined {
    return this.logs.get(jobId)?.buffer;
  }

  /** Follows a job's log; the last listener to leave unsubscribes. */
  subscribeLog(jobId: string, listener: () => void): () => void {
    let sub = this.logs.get(jobId);
    if (!sub) {
      sub = { buffer: new LogBuffer(), listeners: new Set() };
      this.logs.set(jobId, sub);
      if (this.options.fetchLogPage) void this.loadBacklog(jobId, sub, this.options.fetchLogPage);
      else this.send({ subscribe: jobId, after: 0 });
    }
    const current = sub;
    current.listeners.add(listener);
    return () => {
      current.listeners.delete(listener);
      if (current.listeners.size > 0 || this.logs.get(jobId) !== current) return;
      clearTimeout(current.notifyTimer);
      current.backlog?.abort();
      this.logs.delete(jobId);
      this.send({ unsubscribe: jobId });
    };
  }

  /** Pages through the stored log over HTTP, then hands over to the socket for the rest. */
  private async loadBacklog(jobId: string, sub: LogSubscription, fetchPage: FetchLogPage): Promise<void> {
    const controller = new AbortController();
    sub.backlog = controller;
    try {
      for (;;) {
        const after = sub.buffer.lastSeq;
        const page = await fetchPage(jobId, after, controller.signal);
        if (controller.signal.aborted || !page.items.length) break;
        if (sub.buffer.addAll(page.items)) this.notify(sub);
        if (sub.buffer.lastSeq <= after) break;
      }
    } catch {
      // The socket replays whatever the HTTP pages did not deliver.
    }
    if (controller.signal.aborted || this.logs.get(jobId) !== sub) return;
    sub.backlog = undefined;
    this.send({ subscribe: jobId, after: sub.buffer.lastSeq });
  }

  private readonly reconnectNow = (): void => {
    if (!this.running || this.ws) return;
    clearTimeout(this.timer);
    this.connect();
  };

  private connect(): void {
    const ws = new this.WS(this.url);
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.attempts = 0;
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.setState('live');
      for (const [jobId, sub] of this.logs) if (!sub.backlog) this.send({ subscribe: jobId, after: sub.buffer.lastSeq });
      if (reconnected) for (const listener of this.reconnectListeners) listener();
    };
    ws.onmessage = (event: MessageEvent) => {
      if (this.ws !== ws) return;
      const message = parseServerMessage(event.data);
      if (message) this.dispatch(message);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (!this.running) return;
      this.setState(this.everOpened ? 'reconnecting' : 'connecting');
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    const base = this.options.baseDelayMs ?? 500;
    const max = this.options.maxDelayMs ?? 15_000;
    const delay = Math.min(max, base * 2 ** this.attempts) * (0.5 + Math.random() / 2);
    this.attempts++;
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private dispatch(message: ServerMessage): void {
    switch (message.type) {
      case 'job':
        for (const listener of this.jobListeners) listener(message.job);
        return;
      case 'log': {
        const sub = this.logs.get(message.jobId);
        if (sub?.buffer.add({ seq: message.seq, stream: message.stream, line: message.line, ...(message.ts ? { ts: message.ts } : {}) })) this.notify(sub);
        return;
      }
      case 'subscribed': {
        const sub = this.logs.get(message.jobId);
        if (sub?.buffer.markCaughtUp()) this.notify(sub);
        return;
      }
      case 'error':
        return;
    }
  }

  /** Coalesces a burst of lines (a replay of thousands) into one render. */
  private notify(sub: LogSubscription): void {
    if (sub.notifyTimer !== undefined) return;
    sub.notifyTimer = setTimeout(() => {
      sub.notifyTimer = undefined;
      for (const listener of sub.listeners) listener();
    }, this.options.logBatchMs ?? 50);
  }

  private send(message: ClientMessage): void {
    if (this.ws?.readyState === this.WS.OPEN) this.ws.send(JSON.stringify(message));
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener();
  }
}

function add<T>(set: Set<T>, item: T): () => void {
  set.add(item);
  return () => {
    set.delete(item);
  };
}

/** The `/ws/jobs` URL on the page's own host (the Vite dev server proxies it). */
export function jobSocketUrl(path: string, location: Location = window.location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
}
