import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got, as it came (check its signature with `verify`). */
export interface Received {
  path: string;
  event: string;
  delivery: string;
  signature: string;
  body: string;
  json: any;
  /** When it arrived (ms since the epoch). */
  at: number;
}

/** What the receiver answers on a path: a status, a redirect, or no answer for a while. */
export type Reply = { status: number; location?: string } | { hangMs: number };

/**
 * A webhook receiver on loopback, as a customer would write one: it records every POST with
 * its raw body, and answers each path from a script (default 200).
 */
export async function startReceiver() {
  const received: Received[] = [];
  const scripts = new Map<string, Reply[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      received.push({
        path,
        event: String(req.headers['x-shelf-event'] ?? ''),
        delivery: String(req.headers['x-shelf-delivery'] ?? ''),
        signature: String(req.headers['x-shelf-signature-256'] ?? ''),
        body,
        json: safeJson(body),
        at: Date.now(),
      });
      const reply = scripts.get(path)?.shift() ?? { status: 200 };
      if ('hangMs' in reply) {
        setTimeout(() => res.writeHead(200).end('late'), reply.hangMs).unref();
        return;
      }
      res.writeHead(reply.status, reply.location ? { location: reply.location } : {}).end(reply.status < 300 ? 'thanks' : `status ${reply.status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    on: (path: string) => received.filter((r) => r.path === path),
    /** The next answers on `path`, in order; then 200 again. */
    script: (path: string, replies: Reply[]) => scripts.set(path, [...replies]),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a receiver does with the secret: recompute the HMAC of the exact body and compare in constant time. */
export function verify(secret: string, r: Pick<Received, 'body' | 'signature'>): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`);
  const given = Buffer.from(r.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Polls until `check` is true (or throws after `timeoutMs`). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
