import { isIP } from 'node:net';
import { ForbiddenError } from '../errors.js';
import { isPublicAddress } from '../net/publicAddress.js';
import { resolveHost, systemLookup, type LookupAll } from '../net/resolveHost.js';
import { underPrefix } from '../net/urlPrefix.js';

/** A repository URL that passed the policy: what git may fetch, and how. */
export interface CheckedRepo {
  /** Given to git and safe to store and show: normalised, never with credentials. */
  url: string;
  /** The git transport, for `GIT_ALLOW_PROTOCOL`. */
  protocol: 'https' | 'http' | 'file' | 'git' | 'ssh';
  /** `Authorization` header value built from a `SHELF_GIT_ALLOW` entry's credentials. */
  authorization?: string;
  /**
   * For public https hosts: the addresses that were checked, as a libcurl `--resolve` entry
   * (`host:port:addr,...`), so git connects to exactly what the policy approved.
   */
  resolve?: string;
}

export type { LookupAll };

export interface GitUrlPolicyOptions {
  /** `SHELF_GIT_ALLOW`: URL prefixes allowed whatever their scheme or address. */
  allow: string[];
  lookup?: LookupAll;
  lookupTimeoutMs?: number;
}

type AllowEntry =
  | { kind: 'url'; url: URL; username: string; password: string }
  /** scp-like `git@host:org/` entries: compared as text. */
  | { kind: 'text'; prefix: string };

const schemes = { 'https:': 'https', 'http:': 'http', 'file:': 'file', 'git:': 'git', 'ssh:': 'ssh' } as const;
/** `<transport>::<address>` runs a remote helper (`ext::` runs any command): never allowed. */
const REMOTE_HELPER = /^[A-Za-z0-9+.-]+::/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
/** git's scp-like syntax: `[user@]host:path` with no slash before the colon. */
const SCP_LIKE = /^(?:[A-Za-z0-9._~-]+@)?[A-Za-z0-9][A-Za-z0-9.-]*:(?!\/\/)/;
const maxUrlLength = 2048;

const refuse = (url: string, why: string) => new ForbiddenError(`repository URL ${redactUrl(url)} refused: ${why}`);

/**
 * Which repositories Shelf may fetch (SPEC 4.3): `https://` URLs whose host resolves only to
 * public addresses, plus the `SHELF_GIT_ALLOW` prefixes. Everything else is refused with 403
 * before any git command runs. Credentials are accepted only as part of an allow entry and
 * never leave this module inside a URL.
 */
export class GitUrlPolicy {
  private readonly entries: AllowEntry[];
  private readonly lookup: LookupAll;
  private readonly lookupTimeoutMs: number;

  constructor(opts: GitUrlPolicyOptions) {
    this.entries = opts.allow.map(parseAllowEntry);
    this.lookup = opts.lookup ?? systemLookup;
    this.lookupTimeoutMs = opts.lookupTimeoutMs ?? 5000;
  }

  async check(raw: string): Promise<CheckedRepo> {
    if (raw.length === 0 || raw.length > maxUrlLength) throw refuse(raw.slice(0, 64), `must be 1 to ${maxUrlLength} characters`);
    if (/[\s\p{Cc}\\]/u.test(raw)) throw refuse(raw, 'contains whitespace, control characters or backslashes');
    if (raw.startsWith('-')) throw refuse(raw, 'looks like a command-line option');
    if (REMOTE_HELPER.test(raw)) throw refuse(raw, 'transport helpers such as ext:: are never allowed');

    if (SCHEME.test(raw)) return this.checkUrl(raw);
    if (SCP_LIKE.test(raw)) {
      if (this.entries.some((e) => e.kind === 'text' && raw.startsWith(e.prefix))) return { url: raw, protocol: 'ssh' };
      throw refuse(raw, 'ssh repositories are allowed only through a SHELF_GIT_ALLOW entry');
    }
    throw refuse(raw, 'not a URL; use an https:// URL (or a prefix listed in SHELF_GIT_ALLOW)');
  }

  private async checkUrl(raw: string): Promise<CheckedRepo> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw refuse(raw, 'not a valid URL');
    }
    const protocol = schemes[url.protocol as keyof typeof schemes];
    if (!protocol) throw refuse(raw, `the ${url.protocol}// scheme is not supported (https, or http, git, ssh, file through SHELF_GIT_ALLOW)`);
    if (safeDecode(url.pathname).split(/[/\\]/).some((part) => part === '..')) throw refuse(raw, 'the path has ".." segments');
    const username = safeDecode(url.username);
    const password = safeDecode(url.password);
    url.username = '';
    url.password = '';

    const entry = this.entries.find((e): e is Extract<AllowEntry, { kind: 'url' }> => e.kind === 'url' && underPrefix(url, e.url));
    if (entry) {
      if ((username || password) && (username !== entry.username || password !== entry.password)) {
        throw refuse(raw, 'credentials in a URL are accepted only when they are those of its SHELF_GIT_ALLOW entry');
      }
      const checked: CheckedRepo = { url: url.href, protocol };
      if ((entry.username || entry.password) && (protocol === 'https' || protocol === 'http')) {
        checked.authorization = `Basic ${Buffer.from(`${entry.username}:${entry.password}`).toString('base64')}`;
      }
      return checked;
    }

    if (protocol !== 'https') throw refuse(raw, `${url.protocol}// repositories are allowed only through a SHELF_GIT_ALLOW entry`);
    if (username || password) throw refuse(raw, 'credentials in a URL are accepted only through a SHELF_GIT_ALLOW entry');
    const host = url.hostname;
    const bare = host.startsWith('[') ? host.slice(1, -1) : host;
    const addresses = isIP(bare) !== 0 ? [bare] : await this.resolve(raw, bare);
    const bad = addresses.find((a) => !isPublicAddress(a));
    if (bad !== undefined) throw refuse(raw, `${host} resolves to ${bad}, which is not a public address (allow it through SHELF_GIT_ALLOW)`);
    const port = url.port || '443';
    const pinned = addresses.map((a) => (a.includes(':') ? `[${a}]` : a)).join(',');
    return { url: url.href, protocol, resolve: `${bare}:${port}:${pinned}` };
  }

  private async resolve(raw: string, host: string): Promise<string[]> {
    const found = await resolveHost(host, this.lookup, this.lookupTimeoutMs);
    if (!found) throw refuse(raw, `${host} does not resolve`);
    return found;
  }
}

/** Percent-decoding that keeps a malformed escape as it is instead of throwing. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function parseAllowEntry(raw: string): AllowEntry {
  if (!SCHEME.test(raw)) return { kind: 'text', prefix: raw };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`SHELF_GIT_ALLOW entry ${redactUrl(raw)} is not a valid URL`);
  }
  const entry = { kind: 'url' as const, url, username: safeDecode(url.username), password: safeDecode(url.password) };
  url.username = '';
  url.password = '';
  return entry;
}

/** A URL fit for logs, errors, import records and job data: any `user:password@` removed. */
export function redactUrl(raw: string): string {
  let text = raw;
  try {
    if (SCHEME.test(raw)) {
      const url = new URL(raw);
      if (url.username || url.password) {
        url.username = '';
        url.password = '';
        text = url.href;
      }
    }
  } catch {
    text = raw.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, '$1');
  }
  // Whatever did not parse may still hold `//user:password@` somewhere.
  text = text.replace(/\/\/[^/@\s]*:[^/@\s]*@/g, '//').replace(/\p{Cc}/gu, '?');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

const REF = /^(?!-)[A-Za-z0-9._/@+-]+$/;

/**
 * A tag name safe to hand to git: the characters of `^(?!-)[A-Za-z0-9._/@+-]+$`, no `..`,
 * nothing git's ref rules forbid. `refs/tags/x` is accepted as `x`. Refused with 403.
 */
export function checkTag(ref: string): string {
  const tag = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : ref;
  const ok =
    tag.length > 0 &&
    tag.length <= 255 &&
    REF.test(tag) &&
    !tag.includes('..') &&
    !tag.includes('//') &&
    !tag.endsWith('/') &&
    !tag.endsWith('.') &&
    !tag.endsWith('.lock') &&
    !tag.split('/').some((part) => part.startsWith('.'));
  if (!ok) {
    throw new ForbiddenError(`ref ${JSON.stringify(ref.slice(0, 100))} refused: a tag name uses letters, digits and . _ / @ + -, does not start with - and has no ".."`);
  }
  return tag;
}
