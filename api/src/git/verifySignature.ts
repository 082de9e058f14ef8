import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { UnauthenticatedError } from '../errors.js';

/** The Git servers whose webhook deliveries Shelf understands. */
export type GitProvider = 'github' | 'gitlab' | 'gitea' | 'forgejo';

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Which server sent a delivery, by its event header. Gitea and Forgejo also send GitHub-style
 * headers for compatibility, so their own headers are looked at first.
 */
export function detectProvider(headers: IncomingHttpHeaders): GitProvider | undefined {
  if (header(headers, 'x-forgejo-event')) return 'forgejo';
  if (header(headers, 'x-gitea-event')) return 'gitea';
  if (header(headers, 'x-gitlab-event')) return 'gitlab';
  if (header(headers, 'x-github-event')) return 'github';
  return undefined;
}

const hmacHex = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('hex');

/**
 * Compares two strings in constant time whatever their lengths: both sides go through the same
 * HMAC first, so `timingSafeEqual` always sees two 32-byte buffers and never throws.
 */
const compareKey = randomBytes(32);
function sameSecret(a: string, b: string): boolean {
  const key = compareKey;
  const ha = createHmac('sha256', key).update(a).digest();
  const hb = createHmac('sha256', key).update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Checks a delivery's signature against `SHELF_WEBHOOK_SECRET`; throws 401 unless it is right.
 * GitHub signs with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, Gitea and
 * Forgejo with a bare hex HMAC in their own header, GitLab sends the secret itself as a token.
 */
export function verifySignature(
  provider: GitProvider | undefined,
  headers: IncomingHttpHeaders,
  rawBody: Buffer,
  secret: string | undefined,
): asserts provider is GitProvider {
  if (!secret) {
    throw new UnauthenticatedError('Git webhooks are disabled: set SHELF_WEBHOOK_SECRET on the Shelf API and the same secret on the webhook');
  }
  if (!provider) {
    throw new UnauthenticatedError('not a signed GitHub, GitLab, Gitea or Forgejo delivery (no X-GitHub-Event, X-Gitlab-Event, X-Gitea-Event or X-Forgejo-Event header)');
  }
  const [name, expected] = expectedSignature(provider, rawBody, secret);
  const given = provider === 'forgejo' ? (header(headers, name) ?? header(headers, 'x-gitea-signature')) : header(headers, name);
  if (given === undefined) throw new UnauthenticatedError(`missing ${name} header`);
  const normalised = provider === 'gitlab' ? given : given.trim().toLowerCase();
  if (!sameSecret(normalised, expected)) throw new UnauthenticatedError(`the ${name} header does not match SHELF_WEBHOOK_SECRET`);
}

function expectedSignature(provider: GitProvider, rawBody: Buffer, secret: string): [header: string, value: string] {
  switch (provider) {
    case 'github':
      return ['X-Hub-Signature-256', `sha256=${hmacHex(secret, rawBody)}`];
    case 'gitea':
      return ['X-Gitea-Signature', hmacHex(secret, rawBody)];
    case 'forgejo':
      return ['X-Forgejo-Signature', hmacHex(secret, rawBody)];
    case 'gitlab':
      return ['X-Gitlab-Token', secret];
  }
}
