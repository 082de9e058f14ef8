import type {
  CatalogItem,
  Descriptor,
  ErrorBody,
  ErrorCode,
  ImportRecord,
  ImportResult,
  JobDetail,
  JobState,
  JobSummary,
  LogLine,
  Problem,
  VersionInfo,
} from '@shelf/contract';

/** An error answer of the Shelf API (or a network failure, code `NETWORK`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The validation problems a 422 lists (empty for other errors). */
  get problems(): Problem[] {
    const problems = (this.details as { problems?: unknown } | undefined)?.problems;
    return Array.isArray(problems) ? (problems as Problem[]) : [];
  }
}

/** Turns a response body into an ApiError, whatever shape a proxy or crash left it in. */
export function toApiError(status: number, body: unknown, statusText = ''): ApiError {
  const error = (body as Partial<ErrorBody> | null)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError(status, error.code, error.message, error.details);
  }
  return new ApiError(status, 'INTERNAL', `The server answered ${status}${statusText ? ` ${statusText}` : ''}.`);
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
  if (!res.ok) throw toApiError(res.status, data, res.statusText);
  return data as T;
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
  catalog: (signal?: AbortSignal) => request<{ items: CatalogItem[] }>('GET', '/api/catalog', undefined, signal).then((r) => r.items),
  versions: (id: string, signal?: AbortSignal) =>
    request<{ items: VersionInfo[] }>('GET', `/api/catalog/${enc(id)}/versions`, undefined, signal).then((r) => r.items),
  descriptor: (id: string, version: string, signal?: AbortSignal) =>
    request<Descriptor>('GET', `/api/catalog/${enc(id)}/${enc(version)}/descriptor`, undefined, signal),

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
  job: (id: string, signal?: AbortSignal) => request<JobDetail>('GET', `/api/jobs/${enc(id)}`, undefined, signal),
  jobLogs: (id: string, after: number, signal?: AbortSignal) =>
    request<{ items: LogLine[]; next: number }>('GET', `/api/jobs/${enc(id)}/logs?after=${after}`, undefined, signal),
  retryJob: (id: string) => request<{ id: string }>('POST', `/api/jobs/${enc(id)}/retry`),
  cancelJob: (id: string) => request<JobSummary>('POST', `/api/jobs/${enc(id)}/cancel`),
};
