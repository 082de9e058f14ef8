import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { BadRequestError } from '../errors.js';
import { header, type GitProvider } from './verifySignature.js';

/** A webhook delivery reduced to what Shelf acts on. */
export type Delivery =
  | { kind: 'tag-push'; provider: GitProvider; deliveryId: string; cloneUrl: string; tag: string; commit: string }
  | { kind: 'ignored'; provider: GitProvider; deliveryId: string; reason: string };

const ObjectId = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'expected a hex commit id');
const NullableObjectId = ObjectId.nullish();
const Url = z.string().min(1).max(2048);

/** GitHub, Gitea and Forgejo share the push payload's shape for what we read. */
const GitHubStylePush = z.object({
  ref: z.string().min(1).max(1024),
  after: ObjectId,
  repository: z.object({ clone_url: Url }),
});

const GitLabTagPush = z.object({
  ref: z.string().min(1).max(1024),
  after: ObjectId,
  checkout_sha: NullableObjectId,
  project: z.object({ git_http_url: Url }).optional(),
  repository: z.object({ git_http_url: Url }).optional(),
});

const TAG_REF = 'refs/tags/';
const isZero = (id: string) => /^0+$/.test(id);

/**
 * Normalises a GitHub, GitLab, Gitea or Forgejo delivery. Only a pushed (created or moved)
 * tag is something to import; everything else is `ignored` with the reason. A payload that
 * is not the JSON its event promises is a 400.
 */
export function parseDelivery(provider: GitProvider, headers: IncomingHttpHeaders, rawBody: Buffer): Delivery {
  const deliveryId = readDeliveryId(provider, headers, rawBody);
  const event = eventOf(provider, headers);
  const ignored = (reason: string): Delivery => ({ kind: 'ignored', provider, deliveryId, reason });
  const payload = decodeBody(headers, rawBody);

  if (provider === 'github' && event === 'ping') return ignored('pong: the webhook reaches Shelf');
  if (provider === 'gitlab') {
    const kind = (payload as { object_kind?: unknown }).object_kind;
    if (event !== 'Tag Push Hook' && kind !== 'tag_push') return ignored(`GitLab event "${event}" is not a tag push`);
    const push = parse(GitLabTagPush, payload, event);
    const cloneUrl = push.project?.git_http_url ?? push.repository?.git_http_url;
    if (!cloneUrl) throw new BadRequestError('malformed GitLab Tag Push Hook payload: project.git_http_url is missing');
    return tagPush(push.ref, push.checkout_sha ?? push.after, cloneUrl);
  }
  if (event !== 'push') return ignored(`${provider} event "${event}" is not a push`);
  const push = parse(GitHubStylePush, payload, event);
  return tagPush(push.ref, push.after, push.repository.clone_url);

  function tagPush(ref: string, commit: string, cloneUrl: string): Delivery {
    if (!ref.startsWith(TAG_REF)) return ignored(`${ref} is a branch push, not a tag`);
    const tag = ref.slice(TAG_REF.length);
    if (isZero(commit)) return ignored(`tag ${tag} was deleted`);
    return { kind: 'tag-push', provider, deliveryId, cloneUrl, tag, commit };
  }
}

function eventOf(provider: GitProvider, headers: IncomingHttpHeaders): string {
  const name = { github: 'x-github-event', gitlab: 'x-gitlab-event', gitea: 'x-gitea-event', forgejo: 'x-forgejo-event' }[provider];
  return header(headers, name) ?? '';
}

/**
 * The provider's delivery id, which stays the same when a delivery is resent. GitLab's
 * `Idempotency-Key` (17.4+) is stable across retries, its event UUID is the fallback.
 * Without one, the body's hash stands in: the same bytes are the same delivery.
 */
function readDeliveryId(provider: GitProvider, headers: IncomingHttpHeaders, rawBody: Buffer): string {
  const candidates = {
    github: ['x-github-delivery'],
    gitlab: ['idempotency-key', 'x-gitlab-event-uuid', 'x-gitlab-webhook-uuid'],
    gitea: ['x-gitea-delivery'],
    forgejo: ['x-forgejo-delivery', 'x-gitea-delivery'],
  }[provider];
  for (const name of candidates) {
    const value = header(headers, name)?.trim();
    if (!value) continue;
    // Ids become Redis keys and appear in the imports list: keep them short and plain.
    return /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : `sha256-${createHash('sha256').update(value).digest('hex')}`;
  }
  return `body-${createHash('sha256').update(rawBody).digest('hex')}`;
}

/** JSON, or GitHub's form encoding (`payload=<json>`) when the webhook was set up that way. */
function decodeBody(headers: IncomingHttpHeaders, rawBody: Buffer): object {
  let text = rawBody.toString('utf8');
  if ((header(headers, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    text = new URLSearchParams(text).get('payload') ?? '';
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`malformed webhook payload: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError('malformed webhook payload: expected a JSON object');
  }
  return value;
}

function parse<T extends z.ZodType>(schema: T, payload: object, event: string): z.infer<T> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `/${i.path.join('/')} ${i.message}`).join('; ');
    throw new BadRequestError(`malformed "${event}" payload: ${fields}`);
  }
  return parsed.data;
}
