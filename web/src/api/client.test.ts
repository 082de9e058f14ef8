import { afterEach, describe, expect, test, vi } from 'vitest';
import { ApiError, parseRetryAfter, toApiError, uploadBundle } from './client';

class FakeXhr {
  static last: FakeXhr;
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  status = 0;
  statusText = '';
  responseText = '';
  sent: FormData | undefined;
  constructor() {
    FakeXhr.last = this;
  }
  open() {}
  setRequestHeader() {}
  send(body: FormData) {
    this.sent = body;
  }
  abort() {
    this.onabort?.();
  }
  respond(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

afterEach(() => vi.unstubAllGlobals());

describe('api client', () => {
  test('turns error bodies into typed errors, whatever their shape', () => {
    const e = toApiError(422, { error: { code: 'VALIDATION_FAILED', message: 'bad', details: { problems: [{ file: 'inputs', path: '/a', message: 'x' }] } } });
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.message]).toEqual([422, 'VALIDATION_FAILED', 'bad']);
    expect(e.problems).toEqual([{ file: 'inputs', path: '/a', message: 'x' }]);
    const odd = toApiError(502, '<html>Bad gateway</html>', 'Bad Gateway');
    expect([odd.code, odd.message, odd.problems]).toEqual(['INTERNAL', 'The server answered 502 Bad Gateway.', []]);
  });

  test('reads how long a 429 asks to wait, from Retry-After in seconds or as a date, or from the body', () => {
    const now = Date.parse('2025-01-01T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Wed, 01 Jan 2025 10:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    const limited = toApiError(429, { error: { code: 'RATE_LIMITED', message: 'slow down', details: { retryAfterSeconds: 30 } } });
    expect([limited.retryAfterSeconds, limited.unauthenticated]).toEqual([30, false]);
    expect(toApiError(401, { error: { code: 'UNAUTHENTICATED', message: 'sign in first' } }).unauthenticated).toBe(true);
  });

  test('uploads a bundle as the multipart field "bundle", reporting progress', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const progress: number[] = [];
    const file = new File(['x'], 'item.tar.gz');
    const pending = uploadBundle(file, (f) => progress.push(f));
    const xhr = FakeXhr.last;
    expect((xhr.sent!.get('bundle') as File).name).toBe('item.tar.gz');
    xhr.upload.onprogress!({ lengthComputable: true, loaded: 25, total: 100 });
    xhr.respond(201, { id: 'item', version: '1.0.0', digest: 'f'.repeat(64), status: 'created' });
    await expect(pending).resolves.toMatchObject({ id: 'item', status: 'created' });
    expect(progress).toEqual([0.25, 1]);
  });

  test('rejects an upload with the typed error of the answer, and on abort', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const refused = uploadBundle(new File(['x'], 'big.tar.gz'), () => {});
    FakeXhr.last.respond(413, { error: { code: 'PAYLOAD_TOO_LARGE', message: 'over 50 MB' } });
    await expect(refused).rejects.toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });

    const controller = new AbortController();
    const aborted = uploadBundle(new File(['x'], 'a.tar.gz'), () => {}, controller.signal);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
  });
});
