import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { finishedStates, parseClientMessage, wsJobsPath, type JobSummary, type LogLine } from '@shelf/contract';
import type { Logger } from '../logger.js';
import type { JobEvents } from './jobEvents.js';
import { LiveClient, type Transport } from './liveClient.js';
import { LogSubscription, type LogSource } from './logSubscription.js';
import { SharedLogReader } from './sharedLogReader.js';

export interface JobsSocketOptions {
  events: JobEvents;
  /** Stored log lines (the job store). */
  logs: LogSource;
  logger: Logger;
  /**
   * Browser origins allowed besides the API's own (say, a dev server on another port).
   * Browsers let any page open a WebSocket anywhere, so foreign origins are refused.
   */
  allowedOrigins?: string[];
  maxSubscriptionsPerClient?: number;
  /** Unsent bytes a client may pile up before it is dropped (1013). */
  maxBufferedBytes?: number;
  heartbeatMs?: number;
  /** Largest client frame accepted; client messages are a job id and a number. */
  maxPayload?: number;
}

const defaults = {
  allowedOrigins: [] as string[],
  maxSubscriptionsPerClient: 100,
  maxBufferedBytes: 4 * 1024 * 1024,
  heartbeatMs: 30_000,
  maxPayload: 4 * 1024,
};

const usage = 'expected {"subscribe":"<jobId>","after":<seq>} or {"unsubscribe":"<jobId>"}';

/**
 * Serves `/ws/jobs` on an existing HTTP server: every job event to every client, and the logs
 * of the jobs each client subscribed to. Returns the function that closes it.
 */
export function attachJobsWebSocket(server: http.Server, options: JobsSocketOptions): () => Promise<void> {
  const gateway = new JobsGateway(server, { ...defaults, ...options });
  return () => gateway.close();
}

class JobsGateway {
  private readonly wss: WebSocketServer;
  /** Each client's subscriptions by job id. */
  private readonly clients = new Map<LiveClient, Map<string, LogSubscription>>();
  /** Every subscription of a job, whichever client holds it: where log batches go. */
  private readonly byJob = new Map<string, Set<LogSubscription>>();
  private readonly heartbeat: NodeJS.Timeout;
  /** Stored lines, read once for every subscription that needs the same ones. */
  private readonly logs: SharedLogReader;

  constructor(
    private readonly server: http.Server,
    private readonly opts: typeof defaults & JobsSocketOptions,
  ) {
    // No permessage-deflate: LiveClient writes prepared frames next to ws's own writes (see there).
    this.wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload, perMessageDeflate: false });
    this.logs = new SharedLogReader(opts.logs);
    server.on('upgrade', this.onUpgrade);
    opts.events.on('job', this.onJob);
    opts.events.on('log', this.onLog);
    this.heartbeat = setInterval(() => this.ping(), opts.heartbeatMs);
    this.heartbeat.unref();
  }

  async close(): Promise<void> {
    this.server.off('upgrade', this.onUpgrade);
    this.opts.events.off('job', this.onJob);
    this.opts.events.off('log', this.onLog);
    clearInterval(this.heartbeat);
    for (const client of this.clients.keys()) client.socket.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private readonly onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname !== wsJobsPath) {
      // Leave other paths to other upgrade handlers, if there are any.
      if (this.server.listenerCount('upgrade') === 1) socket.destroy();
      return;
    }
    if (!this.originAllowed(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, socket));
  };

  /** Non-browser clients send no Origin; a browser's must be this server's own or an allowed one. */
  private originAllowed(req: http.IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin || this.opts.allowedOrigins.includes(origin)) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  /** `transport` is the TCP socket the WebSocket runs on: the client batches its writes there. */
  private onConnection(socket: WebSocket, transport: Transport): void {
    const client = new LiveClient(socket, this.opts.maxBufferedBytes, transport);
    this.clients.set(client, new Map());
    socket.on('pong', () => (client.alive = true));
    socket.on('message', (data, isBinary) => this.onFrame(client, data, isBinary));
    socket.on('error', (err) => this.opts.logger.debug({ err: err.message }, 'websocket client error'));
    socket.on('close', () => {
      for (const sub of this.clients.get(client)?.values() ?? []) this.unregister(client, sub);
      this.clients.delete(client);
    });
  }

  private onFrame(client: LiveClient, data: RawData, isBinary: boolean): void {
    const message = isBinary ? null : parseClientMessage(rawText(data));
    if (!message) {
      client.send({ type: 'error', message: usage });
    } else if ('subscribe' in message) {
      this.subscribe(client, message.subscribe, message.after ?? 0);
    } else {
      const sub = this.clients.get(client)?.get(message.unsubscribe);
      if (sub) this.unregister(client, sub);
    }
  }

  /** A repeated subscribe to the same job starts over from its new `after`. */
  private subscribe(client: LiveClient, jobId: string, after: number): void {
    const subs = this.clients.get(client);
    if (!subs) return;
    const previous = subs.get(jobId);
    if (previous) this.unregister(client, previous);
    else if (subs.size >= this.opts.maxSubscriptionsPerClient) {
      client.send({ type: 'error', message: `at most ${this.opts.maxSubscriptionsPerClient} subscriptions per connection` });
      return;
    }
    const sub: LogSubscription = new LogSubscription(jobId, after, client, this.logs, () => this.unregister(client, sub));
    subs.set(jobId, sub);
    let feeds = this.byJob.get(jobId);
    if (!feeds) this.byJob.set(jobId, (feeds = new Set()));
    // Registered before anything is read, so no live line can slip between the read and the feed.
    feeds.add(sub);
    void sub.start();
  }

  private unregister(client: LiveClient, sub: LogSubscription): void {
    sub.close();
    const subs = this.clients.get(client);
    if (subs?.get(sub.jobId) === sub) subs.delete(sub.jobId);
    const feeds = this.byJob.get(sub.jobId);
    feeds?.delete(sub);
    if (feeds?.size === 0) {
      this.byJob.delete(sub.jobId);
      this.logs.forget(sub.jobId);
    }
  }

  private readonly onJob = (job: JobSummary): void => {
    const frame = JSON.stringify({ type: 'job', job });
    for (const client of this.clients.keys()) client.send(frame);
    if (finishedStates.includes(job.state)) for (const sub of this.byJob.get(job.id) ?? []) sub.resync();
  };

  private readonly onLog = (jobId: string, lines: LogLine[]): void => {
    for (const sub of this.byJob.get(jobId) ?? []) sub.push(lines);
  };

  /** Clients that did not answer the last ping are gone (a closed laptop lid sends no FIN). */
  private ping(): void {
    for (const client of this.clients.keys()) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
