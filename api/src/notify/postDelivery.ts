import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { DeliveryHeader, type NotifyEvent } from '@shelf/contract';
import { pinnedLookup } from '../net/pinnedLookup.js';
import type { CheckedTarget } from './notifyUrlPolicy.js';

export interface Delivery {
  target: CheckedTarget;
  event: NotifyEvent;
  delivery: string;
  body: string;
  secret: string;
}

export interface PostResult {
  status: number | null;
  durationMs: number;
  ok: boolean;
  error: string | null;
  response: string | null;
  /** Whether trying again later may help: network trouble, timeouts, 408, 429 and 5xx. */
  retryable: boolean;
}

/** How long a receiver has to answer, and how much of its answer the log keeps. */
export const postLimits = { timeoutMs: 10_000, responseBytes: 1024 };

/** `sha256=<hex HMAC-SHA256 of the exact body>`, GitHub's scheme, so receivers reuse their code. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * One POST of a delivery. Redirects are not followed (a 3xx is a failure): following one would
 * leave the checked address. The connection goes to the addresses the policy checked.
 */
export function postDelivery(d: Delivery, timeoutMs = postLimits.timeoutMs): Promise<PostResult> {
  const started = performance.now();
  const url = new URL(d.target.url);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<PostResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: Math.round(performance.now() - started) });
    };
    const req = client.request(url, {
      method: 'POST',
      agent: false,
      ...(d.target.addresses ? { lookup: pinnedLookup(d.target.addresses) } : {}),
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(d.body),
        'user-agent': 'Shelf-Notify/1',
        [DeliveryHeader.event]: d.event,
        [DeliveryHeader.delivery]: d.delivery,
        [DeliveryHeader.signature]: signature(d.secret, d.body),
      },
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    req.on('error', (err) => finish({ status: null, ok: false, error: err.message, response: null, retryable: true }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const status = res.statusCode ?? 0;
        const response = Buffer.concat(chunks).subarray(0, postLimits.responseBytes).toString('utf8') || null;
        res.destroy();
        if (status >= 200 && status < 300) return finish({ status, ok: true, error: null, response, retryable: false });
        finish({ status, ok: false, error: statusError(status, res.headers.location), response, retryable: status === 408 || status === 429 || status >= 500 });
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= postLimits.responseBytes) done();
      });
      res.on('end', done);
      res.on('error', done);
    });
    req.end(d.body);
  });
}

function statusError(status: number, location: string | undefined): string {
  if (status >= 300 && status < 400) return `answered ${status}${location ? ` to ${location.slice(0, 200)}` : ''}; redirects are not followed`;
  return `answered ${status}`;
}
