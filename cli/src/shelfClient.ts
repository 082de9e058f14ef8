import { open } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorBody, Problem } from '@shelf/contract';
import { CliError } from './cliError.js';
import { ExitCode } from './exitCodes.js';
import type { Target } from './config.js';

/** An error answer of the API, with its `{ error: { code, message, details } }` body. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message, ExitCode.USAGE, problemsOf(details));
    this.name = 'ApiError';
  }
}

function problemsOf(details: unknown): Problem[] {
  const problems = (details as { problems?: unknown } | undefined)?.problems;
  return Array.isArray(problems) ? (problems as Problem[]) : [];
}

/** The one typed client of the Shelf HTTP API: bearer auth, JSON, and every failure as one sentence. */
export class ShelfClient {
  constructor(readonly target: Target) {}

  get<T>(pathAndQuery: string): Promise<T> {
    return this.request<T>('GET', pathAndQuery);
  }

  post<T>(pathAndQuery: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', pathAndQuery, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  }

  /**
   * Uploads a `.tar.gz` as the multipart field `bundle`, streamed from disk; `onProgress` hears
   * the bytes sent so far. Answers the status too: 201 created and 200 unchanged differ.
   */
  async uploadBundle<T>(file: string, onProgress?: (sent: number, total: number) => void): Promise<{ status: number; body: T }> {
    const handle = await open(file);
    try {
      const size = (await handle.stat()).size;
      const boundary = `----shelf${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
      const name = path.basename(file).replace(/["\r\n\\]/g, '_');
      const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="bundle"; filename="${name}"\r\nContent-Type: application/gzip\r\n\r\n`);
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const total = head.length + size + tail.length;
      let sent = 0;
      const chunks = handle.createReadStream({ autoClose: false })[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      let stage: 'head' | 'file' | 'tail' | 'done' = 'head';
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const push = (chunk: Uint8Array) => {
            sent += chunk.length;
            onProgress?.(sent, total);
            controller.enqueue(chunk);
          };
          if (stage === 'head') {
            stage = 'file';
            return push(head);
          }
          if (stage === 'file') {
            const { value, done } = await chunks.next();
            if (!done) return push(value);
            stage = 'tail';
          }
          if (stage === 'tail') {
            stage = 'done';
            push(tail);
            return controller.close();
          }
        },
      });
      const res = await this.send('POST', '/api/catalog/bundle/upload', {
        body,
        duplex: 'half',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(total) },
      } as RequestInit);
      return { status: res.status, body: (await readJson(res)) as T };
    } finally {
      await handle.close();
    }
  }

  private async request<T>(method: string, pathAndQuery: string, init: RequestInit = {}): Promise<T> {
    const res = await this.send(method, pathAndQuery, init);
    return (await readJson(res)) as T;
  }

  private async send(method: string, pathAndQuery: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.target.token) headers.set('authorization', `Bearer ${this.target.token}`);
    headers.set('accept', 'application/json');
    let res: Response;
    try {
      res = await fetch(`${this.target.url}${pathAndQuery}`, { ...init, method, headers });
    } catch (err) {
      throw unreachable(this.target.url, err);
    }
    if (res.ok) return res;
    throw await this.failure(res);
  }

  private async failure(res: Response): Promise<CliError> {
    const body = (await readJson(res).catch(() => undefined)) as Partial<ErrorBody> | undefined;
    const error = body?.error;
    if (res.status === 401) {
      return new ApiError(401, 'UNAUTHENTICATED', this.target.token ? 'the token was refused; run `shelf login`' : 'not logged in: run `shelf login --url URL`, or set SHELF_TOKEN', undefined);
    }
    if (!error) return new ApiError(res.status, 'HTTP', `Shelf at ${this.target.url} answered ${res.status} ${res.statusText}; is SHELF_URL the address of Shelf?`, undefined);
    let message = error.message;
    if (res.status === 429 && res.headers.get('retry-after')) message += ` (try again in ${res.headers.get('retry-after')} s)`;
    if (res.status >= 500) message = `Shelf could not do it (${res.status}): ${message}`;
    return new ApiError(res.status, error.code, message, error.details);
  }
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`Shelf answered ${res.status} with something that is not JSON; is SHELF_URL the address of Shelf?`);
  }
}

const reasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name did not resolve',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  EHOSTUNREACH: 'no route to the host',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
};

/** fetch's "fetch failed" in one sentence: which address, why, and what to check. */
export function unreachable(url: string, err: unknown): CliError {
  let cause = err as { code?: string; message?: string; cause?: unknown } | undefined;
  while (cause?.cause && !cause.code) cause = cause.cause as typeof cause;
  const why = (cause?.code && reasons[cause.code]) ?? cause?.code ?? cause?.message ?? String(err);
  return new CliError(`cannot reach Shelf at ${url}: ${why}; is it running? (check SHELF_URL or \`shelf login\`)`, ExitCode.USAGE);
}
