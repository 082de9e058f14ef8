import { isIP } from 'node:net';
import { ConfigError } from '@shelf/contract';
import { ValidationError } from '../errors.js';
import { isPublicAddress } from '../net/publicAddress.js';
import { resolveHost, systemLookup, type LookupAll } from '../net/resolveHost.js';
import { underPrefix } from '../net/urlPrefix.js';

/** A notification URL that passed the policy. */
export interface CheckedTarget {
  url: string;
  /**
   * The public addresses the host resolved to, all checked: the delivery connects to these and
   * nothing else (DNS pinned). Absent for URLs under a SHELF_NOTIFY_ALLOW prefix.
   */
  addresses?: string[];
}

export interface NotifyUrlPolicyOptions {
  /** SHELF_NOTIFY_ALLOW: http(s) URL prefixes allowed whatever their address. */
  allow: string[];
  lookup?: LookupAll;
  lookupTimeoutMs?: number;
}

const maxUrlLength = 2048;

/** A URL refused for a webhook or a callback: 422 naming the field and the reason. */
function refused(field: string, shown: string, why: string): ValidationError {
  return new ValidationError(`${field} ${shown} refused: ${why}`, [{ file: 'request', path: `/${field}`, message: why }]);
}

/**
 * Where Shelf may send webhooks and job callbacks (SPEC §8), the Git fetcher's rules applied to
 * outbound POSTs: `https://` URLs whose host resolves only to public addresses, plus the
 * `SHELF_NOTIFY_ALLOW` prefixes. Never loopback, private, link-local or cloud-metadata
 * addresses otherwise. Checked when a URL is registered and again before every delivery, whose
 * connection then goes to the addresses checked (a name that rebinds meanwhile gains nothing).
 */
export class NotifyUrlPolicy {
  private readonly allow: URL[];
  private readonly lookup: LookupAll;
  private readonly lookupTimeoutMs: number;

  constructor(opts: NotifyUrlPolicyOptions) {
    this.allow = opts.allow.map(parseAllowEntry);
    this.lookup = opts.lookup ?? systemLookup;
    this.lookupTimeoutMs = opts.lookupTimeoutMs ?? 5000;
  }

  /** `field` names the request field in a refusal: `url` of a webhook, `callbackUrl` of a job. */
  async check(raw: string, field = 'url'): Promise<CheckedTarget> {
    const refuse = (why: string, shown = JSON.stringify(raw.slice(0, 100))) => refused(field, shown, why);
    if (raw.length === 0 || raw.length > maxUrlLength) throw refuse(`must be 1 to ${maxUrlLength} characters`);
    if (/[\s\p{Cc}\\]/u.test(raw)) throw refuse('contains whitespace, control characters or backslashes');
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw refuse('not a valid URL');
    }
    if (url.username || url.password) {
      url.username = '';
      url.password = '';
      throw refuse('credentials in the URL are not accepted; deliveries are signed with the secret instead', url.href);
    }
    const shown = url.href;
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse(`the ${url.protocol}// scheme is not supported (https)`, shown);
    if (this.allow.some((prefix) => underPrefix(url, prefix))) return { url: shown };

    const host = url.hostname;
    const bare = host.startsWith('[') ? host.slice(1, -1) : host;
    const notPublic = (address: string) =>
      refuse(`${host} ${address === bare ? 'is' : `resolves to ${address}, which is`} not a public address (loopback, private, link-local and metadata addresses are refused unless a SHELF_NOTIFY_ALLOW prefix allows the URL)`, shown);
    // An address literal is judged first: "not a public address" says more than "not https".
    if (isIP(bare) !== 0 && !isPublicAddress(bare)) throw notPublic(bare);
    if (url.protocol !== 'https:') throw refuse('only https:// URLs are allowed (or a prefix listed in SHELF_NOTIFY_ALLOW)', shown);
    const addresses = isIP(bare) !== 0 ? [bare] : await resolveHost(bare, this.lookup, this.lookupTimeoutMs);
    if (!addresses) throw refuse(`${host} does not resolve`, shown);
    const bad = addresses.find((a) => !isPublicAddress(a));
    if (bad !== undefined) throw notPublic(bad);
    return { url: shown, addresses };
  }
}

function parseAllowEntry(raw: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    throw new ConfigError(`the API cannot start: SHELF_NOTIFY_ALLOW entry ${JSON.stringify(raw.slice(0, 100))} is not an http(s) URL prefix without credentials`);
  }
  return url;
}
