import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { finishedStates, parseClientMessage, wsJobsPath, type JobSummary, type LogLine } from '@shelf/contract';
import type { AuditLog } from '../auth/auditLog.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { BrowserSafety } from '../auth/browserSafety.js';
import { canSeeJob, canUseRoute } from '../auth/policy.js';
import type { Principal } from '../auth/principal.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { JobEvents } from './jobEvents.js';
import { LiveClient, type Transport } from './liveClient.js';
import { LogSubscription, type LogSource } from './logSubscription.js';
import { SharedLogReader } from './sharedLogReader.js';

export interface JobsSocketOptions {
  events: JobEvents;
  /** Stored log lines (the job records). */
  logs: LogSource;
  /** Whose job it is, checked before a client may follow its log; undefined for no such job. */
  jobs: { summary(id: string): Promise<JobSummary | undefined> };
  /** Who the client is: credentials are checked at the upgrade (SPEC §7). */
  auth: { authenticator: Authenticator; safety: BrowserSafety; audit?: AuditLog };
  logger: Logger;
  /**
   * Browser origins allowed besides the API's own (say, a dev server on another port).
   * Browsers let any page open a WebSocket anywhere, so foreign origins are refused.
   */
  allowedOrigins?: string[];
  maxSubscriptionsPerClient?: number;
  /** Open connections in total (SHELF_WS_MAX_CONNECTIONS): each costs memory whether it subscribes or not. */
  maxConnections?: number;
  /** Open connections of one user or token (SHELF_WS_MAX_CONNECTIONS_PER_USER). */
  maxConnectionsPerUser?: number;
  /** Unsent bytes a client may pile up before it is dropped (1013). */
  maxBufferedBytes?: number;
  heartbeatMs?: number;
  /** Largest client frame accepted; client messages are a job id and a number. */
  maxPayload?: number;
}

const defaults = {
  allowedOrigins: [] as string[],
  maxSubscriptionsPerClient: 100,
  maxConnections: 1000,
  maxConnectionsPerUser: 20,
  maxBufferedBytes: 4 * 1024 * 1024,
  heartbeatMs: 30_000,
  maxPayload: 4 * 1024,
  /** How often each connection's credentials are checked again (a revoked token, a logout). */
  recheckMs: 30_000,
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
  /** Who each client is, and the headers that said so (to check them again later). */
  private readonly identities = new Map<LiveClient, { principal: Principal; headers: http.IncomingHttpHeaders }>();
  private readonly recheck: NodeJS.Timeout;
  /** Connections by principal id, counted from the moment one is accepted (before the handshake ends). */
  private readonly perPrincipal = new Map<string, number>();
  private connectionCount = 0;
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
    this.recheck = setInterval(() => void this.recheckAll(), opts.recheckMs);
    this.recheck.unref();
  }

  async close(): Promise<void> {
    this.server.off('upgrade', this.onUpgrade);
    this.opts.events.off('job', this.onJob);
    this.opts.events.off('log', this.onLog);
    clearInterval(this.heartbeat);
    clearInterval(this.recheck);
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
    const refuse = (status: string, reason = '', actor = 'anonymous') => {
      const body = reason ? `${reason}\n` : '';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      // A refused connection is a refused permission check: the audit log keeps it (SPEC §7).
      void this.opts.auth.audit
        ?.record({ actor, action: 'ws.connect', target: wsJobsPath, outcome: 'denied', ip: req.socket.remoteAddress ?? '', detail: `${status}; Origin ${req.headers.origin ?? 'none'}${reason ? `; ${reason}` : ''}` })
        .catch((err: Error) => this.opts.logger.warn({ err: err.message }, 'could not write the audit log'));
    };
    if (!this.opts.auth.safety.hostAllowed(req.headers.host)) return void refuse('400 Bad Request');
    if (!this.originAllowed(req)) return void refuse('403 Forbidden');
    this.opts.auth.authenticator.identify(req.headers).then(
      ({ principal }) => {
        if (!principal) return void refuse('401 Unauthorized');
        const reach = canUseRoute(principal, `GET ${wsJobsPath}`);
        if (!reach.allowed) return void refuse('403 Forbidden', reach.reason, principal.username);
        const over = this.overLimit(principal);
        if (over) return void refuse(over.status, over.reason, principal.username);
        const release = this.hold(principal.id, socket);
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          ws.once('close', release);
          this.onConnection(ws, socket, principal, req.headers);
        });
      },
      (err: unknown) => {
        if (!(err instanceof AppError)) this.opts.logger.warn({ err }, 'websocket authentication failed');
        refuse(err instanceof AppError && err.status === 401 ? '401 Unauthorized' : '500 Internal Server Error');
      },
    );
  };

  private overLimit(principal: Principal): { status: string; reason: string } | undefined {
    const { maxConnections, maxConnectionsPerUser } = this.opts;
    if (this.connectionCount >= maxConnections) {
      return { status: '503 Service Unavailable', reason: `Shelf holds its most live connections (${maxConnections}, SHELF_WS_MAX_CONNECTIONS); try again later` };
    }
    if ((this.perPrincipal.get(principal.id) ?? 0) >= maxConnectionsPerUser) {
      return { status: '429 Too Many Requests', reason: `${principal.username} has ${maxConnectionsPerUser} live connections open, the most one user may (SHELF_WS_MAX_CONNECTIONS_PER_USER); close one first` };
    }
    return undefined;
  }

  /** Counts a connection until it closes, or until its socket closes if the handshake never finishes. */
  private hold(principalId: string, socket: Duplex): () => void {
    this.connectionCount++;
    this.perPrincipal.set(principalId, (this.perPrincipal.get(principalId) ?? 0) + 1);
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      this.connectionCount--;
      const left = (this.perPrincipal.get(principalId) ?? 1) - 1;
      if (left > 0) this.perPrincipal.set(principalId, left);
      else this.perPrincipal.delete(principalId);
    };
    socket.once('close', release);
    return release;
  }

  /** Non-browser clients send no Origin; a browser's must be this server's own or an allowed one. */
  private originAllowed(req: http.IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin || this.opts.allowedOrigins.includes(origin)) return true;
    return this.opts.auth.safety.originAllowed(origin, req.headers.host);
  }

  /** `transport` is the TCP socket the WebSocket runs on: the client batches its writes there. */
  private onConnection(socket: WebSocket, transport: Transport, principal: Principal, headers: http.IncomingHttpHeaders): void {
    const client = new LiveClient(socket, this.opts.maxBufferedBytes, transport);
    this.clients.set(client, new Map());
    this.identities.set(client, { principal, headers: { authorization: headers.authorization, cookie: headers.cookie } });
    socket.on('pong', () => (client.alive = true));
    socket.on('message', (data, isBinary) => this.onFrame(client, data, isBinary));
    socket.on('error', (err) => this.opts.logger.debug({ err: err.message }, 'websocket client error'));
    socket.on('close', () => {
      for (const sub of this.clients.get(client)?.values() ?? []) this.unregister(client, sub);
      this.clients.delete(client);
      this.identities.delete(client);
    });
  }

  private onFrame(client: LiveClient, data: RawData, isBinary: boolean): void {
    const message = isBinary ? null : parseClientMessage(rawText(data));
    if (!message) {
      client.send({ type: 'error', message: usage });
    } else if ('subscribe' in message) {
      void this.subscribeIfAllowed(client, message.subscribe, message.after ?? 0);
    } else {
      const sub = this.clients.get(client)?.get(message.unsubscribe);
      if (sub) this.unregister(client, sub);
    }
  }

  /** Only the jobs the client may see: the same rule as `GET /api/jobs/:id/logs`. */
  private async subscribeIfAllowed(client: LiveClient, jobId: string, after: number): Promise<void> {
    const identity = this.identities.get(client);
    if (!identity) return;
    const job = await this.opts.jobs.summary(jobId).catch(() => undefined);
    const decision = job ? canSeeJob(identity.principal, job) : { allowed: false as const, reason: `job not found: ${jobId}` };
    if (!decision.allowed) {
      client.send({ type: 'error', jobId, message: decision.reason });
      return;
    }
    this.subscribe(client, jobId, after);
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
    for (const [client, identity] of this.identities) if (canSeeJob(identity.principal, job).allowed) client.send(frame);
    if (finishedStates.includes(job.state)) for (const sub of this.byJob.get(job.id) ?? []) sub.resync();
  };

  private readonly onLog = (jobId: string, lines: LogLine[]): void => {
    for (const sub of this.byJob.get(jobId) ?? []) sub.push(lines);
  };

  /** A logout, a revoked token or a disabled user ends the connections they had opened. */
  private async recheckAll(): Promise<void> {
    for (const [client, identity] of this.identities) {
      const { principal } = await this.opts.auth.authenticator.identify(identity.headers).catch(() => ({ principal: undefined }));
      if (!principal) client.socket.close(4401, 'credentials no longer valid');
      else identity.principal = principal;
    }
  }

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
