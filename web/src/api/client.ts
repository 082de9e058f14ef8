import type {
  AuditEntry,
  AuditOutcome,
  AuthConfig,
  CatalogItem,
  CreatedToken,
  CreatedWebhook,
  DeliveryAttempt,
  DescriptorAnswer,
  ErrorBody,
  ErrorCode,
  ImportRecord,
  ImportResult,
  JobDetailAnswer,
  JobState,
  JobSummary,
  LogLine,
  Me,
  NamedSecret,
  NotifyEvent,
  Preset,
  Problem,
  Role,
  NewSchedule,
  Schedule,
  ScheduleRun,
  TokenInfo,
  UserInfo,
  VersionInfo,
  WebhookFormat,
  WebhookInfo,
  WorkerSummary,
} from '@shelf/contract';

/** An error answer of the Shelf API (or a network failure, code `NETWORK`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK',
    message: string,
    readonly details?: unknown,
    /** From a 429's `Retry-After`: how long to wait before asking again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** No session (or it ended): the app sends the user to the login page. */
  get unauthenticated(): boolean {
    return this.status === 401;
  }

  /** The validation problems a 422 lists (empty for other errors). */
  get problems(): Problem[] {
    const problems = (this.details as { problems?: unknown } | undefined)?.problems;
    return Array.isArray(problems) ? (problems as Problem[]) : [];
  }
}

/** `Retry-After` is either seconds or an HTTP date. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Turns a response body into an ApiError, whatever shape a proxy or crash left it in. */
export function toApiError(status: number, body: unknown, statusText = '', retryAfter?: string | null): ApiError {
  const error = (body as Partial<ErrorBody> | null)?.error;
  const fromBody = (error?.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  const wait = parseRetryAfter(retryAfter) ?? (typeof fromBody === 'number' ? fromBody : undefined);
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError(status, error.code, error.message, error.details, wait);
  }
  return new ApiError(status, 'INTERNAL', `The server answered ${status}${statusText ? ` ${statusText}` : ''}.`, undefined, wait);
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'Cannot reach the Shelf server. Check your connection and try again.');
  }
  const data = parseJson(await res.text());
  if (!res.ok) throw toApiError(res.status, data, res.statusText, res.headers.get('retry-after'));
  return data as T;
}

/** As `request`, with the answer's status too, for the answers whose status tells something (201 created, 200 replaced). */
async function requestWithStatus<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
  let res: Response;
  try {
    res = await fetch(path, { method, headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Cannot reach the Shelf server. Check your connection and try again.');
  }
  const data = parseJson(await res.text());
  if (!res.ok) throw toApiError(res.status, data, res.statusText, res.headers.get('retry-after'));
  return { status: res.status, data: data as T };
}

const enc = encodeURIComponent;

export interface JobsQuery {
  state?: JobState;
  q?: string;
  itemId?: string;
  page: number;
  pageSize: number;
}

export interface JobsPage {
  items: JobSummary[];
  total: number;
  page: number;
  pageSize: number;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  outcome?: AuditOutcome;
  page: number;
  pageSize: number;
}

export interface AuditPage {
  items: AuditEntry[];
  total: number;
  page: number;
  pageSize: number;
}

export interface SetupRequest {
  token: string;
  username: string;
  password: string;
  email?: string;
}

export interface NewToken {
  name: string;
  role?: Role;
  /** Omitted: the token never expires. */
  expiresInDays?: number;
}

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  email?: string;
  name?: string;
}

export type UserChange = { role?: Role; disabled?: boolean; password?: string };

export interface NewSecret {
  name: string;
  value: string;
  /** The item ids whose jobs may read it. */
  items: string[];
  description?: string;
}

/** A new `value` rotates the secret. */
export type SecretChange = { value?: string; items?: string[]; description?: string };


/** `POST /api/schedules`: the inputs may hold secrets (see useSecretMutation). */
export type { NewSchedule };

/** `PATCH /api/schedules/:id`: `enabled: false` pauses, `true` resumes. */
export type ScheduleChange = Partial<Pick<Schedule, 'name' | 'version' | 'inputs' | 'cron' | 'timezone' | 'enabled'>>;

/** `POST /api/jobs/validate`: the inputs as a submission would run them (defaults applied, secrets `********`). */
export interface ValidatedRun {
  itemId: string;
  version: string;
  inputs: Record<string, unknown>;
}

/** `POST /api/catalog/:id/presets`: the server drops secret inputs. */
export interface NewPreset {
  name: string;
  inputs: Record<string, unknown>;
  shared: boolean;
}

/** What a local import or an upload answers; `importId` points into the imports list. */
export type ImportAnswer = ImportResult & { importId?: string };

/** Uploads a bundle with XMLHttpRequest, which (unlike fetch) reports upload progress. */
export function uploadBundle(file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<ImportAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/catalog/bundle/upload');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const data = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(data as ImportAnswer);
      } else {
        reject(toApiError(xhr.status, data, xhr.statusText));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'The upload failed: the server could not be reached.'));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append('bundle', file, file.name);
    xhr.send(form);
  });
}

/** The one typed client of the Shelf API. */
export const api = {
  authConfig: (signal?: AbortSignal) => request<AuthConfig>('GET', '/api/auth/config', undefined, signal),
  login: (username: string, password: string) => request<Me>('POST', '/api/auth/login', { username, password }),
  logout: () => request<null>('POST', '/api/auth/logout'),
  setup: (body: SetupRequest) => request<Me>('POST', '/api/auth/setup', body),
  /** Where the browser goes (not fetch: the identity provider answers with redirects) for single sign-on. */
  oidcLoginUrl: (returnTo: string) => `/api/auth/oidc/login?returnTo=${enc(returnTo)}`,
  me: (signal?: AbortSignal) => request<Me>('GET', '/api/me', undefined, signal),

  tokens: (signal?: AbortSignal) => request<{ items: TokenInfo[] }>('GET', '/api/tokens', undefined, signal).then((r) => r.items),
  createToken: (body: NewToken) => request<CreatedToken>('POST', '/api/tokens', body),
  revokeToken: (id: string) => request<null>('DELETE', `/api/tokens/${enc(id)}`),

  webhooks: (signal?: AbortSignal) => request<{ items: WebhookInfo[] }>('GET', '/api/webhooks', undefined, signal).then((r) => r.items),
  createWebhook: (body: { url: string; events: NotifyEvent[]; format: WebhookFormat }) => request<CreatedWebhook>('POST', '/api/webhooks', body),
  deleteWebhook: (id: string) => request<null>('DELETE', `/api/webhooks/${enc(id)}`),
  deliveries: (id: string, signal?: AbortSignal) =>
    request<{ items: DeliveryAttempt[] }>('GET', `/api/webhooks/${enc(id)}/deliveries`, undefined, signal).then((r) => r.items),
  redeliver: (id: string, delivery: string) => request<unknown>('POST', `/api/webhooks/${enc(id)}/deliveries/${enc(delivery)}/redeliver`),
  secrets: (signal?: AbortSignal) => request<{ items: NamedSecret[] }>('GET', '/api/secrets', undefined, signal).then((r) => r.items),
  createSecret: (body: NewSecret) => request<NamedSecret>('POST', '/api/secrets', body),
  updateSecret: (name: string, change: SecretChange) => request<NamedSecret>('PATCH', `/api/secrets/${enc(name)}`, change),
  deleteSecret: (name: string) => request<null>('DELETE', `/api/secrets/${enc(name)}`),
  users: (signal?: AbortSignal) => request<{ items: UserInfo[] }>('GET', '/api/users', undefined, signal).then((r) => r.items),
  createUser: (body: NewUser) => request<Pick<UserInfo, 'id' | 'username' | 'role'>>('POST', '/api/users', body),
  updateUser: (id: string, change: UserChange) => request<UserInfo>('PATCH', `/api/users/${enc(id)}`, change),
  audit: (query: AuditQuery, signal?: AbortSignal) => {
    const params = new URLSearchParams({ page: String(query.page), pageSize: String(query.pageSize) });
    if (query.actor) params.set('actor', query.actor);
    if (query.action) params.set('action', query.action);
    if (query.outcome) params.set('outcome', query.outcome);
    return request<AuditPage>('GET', `/api/audit?${params}`, undefined, signal);
  },

  catalog: (signal?: AbortSignal) => request<{ items: CatalogItem[] }>('GET', '/api/catalog', undefined, signal).then((r) => r.items),
  versions: (id: string, signal?: AbortSignal) =>
    request<{ items: VersionInfo[] }>('GET', `/api/catalog/${enc(id)}/versions`, undefined, signal).then((r) => r.items),
  descriptor: (id: string, version: string, signal?: AbortSignal) =>
    request<DescriptorAnswer>('GET', `/api/catalog/${enc(id)}/${enc(version)}/descriptor`, undefined, signal),
  /** The version's form validator, an ES module the form imports; name a concrete version, as a page keeps what it imported. */
  validatorModuleUrl: (id: string, version: string) => `/api/catalog/${enc(id)}/${enc(version)}/validator.js`,

  importLocal: (path: string) => request<ImportAnswer>('POST', '/api/catalog/local/import', { path }),
  uploadBundle,
  gitSync: (url: string, ref?: string) => request<{ importId: string }>('POST', '/api/catalog/git/sync', ref ? { url, ref } : { url }),
  imports: (signal?: AbortSignal) =>
    request<{ items: ImportRecord[] }>('GET', '/api/catalog/imports', undefined, signal).then((r) => r.items),
  importRecord: (importId: string, signal?: AbortSignal) =>
    request<ImportRecord>('GET', `/api/catalog/imports/${enc(importId)}`, undefined, signal),

  createJob: (itemId: string, version: string, inputs: unknown) =>
    request<{ id: string }>('POST', '/api/jobs', { itemId, version, inputs }),
  jobs: (query: JobsQuery, signal?: AbortSignal) => {
    const params = new URLSearchParams({ page: String(query.page), pageSize: String(query.pageSize) });
    if (query.state) params.set('state', query.state);
    if (query.q) params.set('q', query.q);
    if (query.itemId) params.set('itemId', query.itemId);
    return request<JobsPage>('GET', `/api/jobs?${params}`, undefined, signal);
  },
  job: (id: string, signal?: AbortSignal) => request<JobDetailAnswer>('GET', `/api/jobs/${enc(id)}`, undefined, signal),
  jobLogs: (id: string, after: number, signal?: AbortSignal) =>
    request<{ items: LogLine[]; next: number }>('GET', `/api/jobs/${enc(id)}/logs?after=${after}`, undefined, signal),
  /** The log's last `count` lines of one stream (`?tail=N&stream=S`), oldest first: e.g. why a job failed. */
  jobLogTail: (id: string, count: number, stream: LogLine['stream'], signal?: AbortSignal) =>
    request<{ items: LogLine[]; next: number }>('GET', `/api/jobs/${enc(id)}/logs?tail=${count}&stream=${stream}`, undefined, signal).then((r) => r.items),
  retryJob: (id: string) => request<{ id: string }>('POST', `/api/jobs/${enc(id)}/retry`),
  cancelJob: (id: string) => request<JobSummary>('POST', `/api/jobs/${enc(id)}/cancel`),
  approveJob: (id: string, comment: string) => request<JobSummary>('POST', `/api/jobs/${enc(id)}/approve`, comment ? { comment } : {}),
  rejectJob: (id: string, comment: string) => request<JobSummary>('POST', `/api/jobs/${enc(id)}/reject`, comment ? { comment } : {}),
  /** Jobs awaiting the signed-in user's decision, newest first. */
  approvals: (signal?: AbortSignal) => request<{ items: JobSummary[] }>('GET', '/api/approvals', undefined, signal).then((r) => r.items),

  /** The caller's schedules (an admin's: all). */
  schedules: (signal?: AbortSignal) => request<{ items: Schedule[] }>('GET', '/api/schedules', undefined, signal).then((r) => r.items),
  schedule: (id: string, signal?: AbortSignal) => request<Schedule>('GET', `/api/schedules/${enc(id)}`, undefined, signal),
  /** The newest ticks of a schedule, newest first. */
  scheduleRuns: (id: string, signal?: AbortSignal) =>
    request<{ items: ScheduleRun[] }>('GET', `/api/schedules/${enc(id)}/runs`, undefined, signal).then((r) => r.items),
  createSchedule: (body: NewSchedule) => request<Schedule>('POST', '/api/schedules', body),
  updateSchedule: (id: string, change: ScheduleChange) => request<Schedule>('PATCH', `/api/schedules/${enc(id)}`, change),
  deleteSchedule: (id: string) => request<null>('DELETE', `/api/schedules/${enc(id)}`),
  /** Runs it now, outside its timetable: 409 while its previous job is active, 422 when its inputs no longer pass. */
  runSchedule: (id: string) => request<ScheduleRun>('POST', `/api/schedules/${enc(id)}/run`),

  /** The dry run of createJob: the inputs as they would run, or the 422 a submission would get; nothing is stored. */
  validateJob: (itemId: string, version: string, inputs: unknown) => request<ValidatedRun>('POST', '/api/jobs/validate', { itemId, version, inputs }),
  /** "Run again with changes": a new job linked to the one it re-runs. */
  rerunJob: (rerunOf: string, itemId: string, version: string, inputs: unknown) =>
    request<{ id: string }>('POST', '/api/jobs', { itemId, version, inputs, rerunOf }),
  /** The caller's presets for the item, then those shared with them. */
  presets: (itemId: string, signal?: AbortSignal) =>
    request<{ items: Preset[] }>('GET', `/api/catalog/${enc(itemId)}/presets`, undefined, signal).then((r) => r.items),
  /** Saves a preset of the caller's; `created` is false when it replaced theirs of the same name. */
  savePreset: (itemId: string, body: NewPreset) =>
    requestWithStatus<Preset>('POST', `/api/catalog/${enc(itemId)}/presets`, body).then(({ status, data }) => ({ preset: data, created: status === 201 })),
  deletePreset: (itemId: string, presetId: string) => request<null>('DELETE', `/api/catalog/${enc(itemId)}/presets/${enc(presetId)}`),

  /** The worker fleet (admin): every worker that beat within the hour, stale ones too, by id. */
  workers: (signal?: AbortSignal) => request<{ items: WorkerSummary[] }>('GET', '/api/workers', undefined, signal).then((r) => r.items),
  /** 202: the worker takes no new jobs and finishes its running ones; 404 once it stopped or went stale. */
  drainWorker: (id: string) => request<WorkerSummary>('POST', `/api/workers/${enc(id)}/drain`),
  /** 202: undoes a drain; 404 as for drainWorker. */
  resumeWorker: (id: string) => request<WorkerSummary>('POST', `/api/workers/${enc(id)}/resume`),
};
