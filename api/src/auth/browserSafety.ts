import type { IncomingHttpHeaders } from 'node:http';

/** Names that always mean this machine: a rebound DNS name can never be one of them. */
const loopbackNames = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** The host name of a Host header (`a.b:8080`, `[::1]:80`), lowercased, without the port. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

function isLoopback(name: string): boolean {
  return loopbackNames.has(name) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * The two browser-safety rules of SPEC §7: which Host headers are served (against DNS
 * rebinding) and which Origins may change state with a cookie (against CSRF).
 */
export class BrowserSafety {
  private readonly publicOrigin: string;
  private readonly hosts: Set<string>;

  constructor(publicUrl: string, allowedHosts: string[]) {
    const url = new URL(publicUrl);
    this.publicOrigin = url.origin;
    this.hosts = new Set([hostName(url.host), ...allowedHosts.map((h) => hostName(h))]);
  }

  /** A Host that is neither the public host, an allowed one nor a loopback name is refused. */
  hostAllowed(host: string | undefined): boolean {
    if (!host) return false;
    const name = hostName(host);
    return this.hosts.has(name) || isLoopback(name);
  }

  /**
   * Whether a state-changing request may go ahead. With a session cookie it must prove it
   * comes from Shelf's own pages: an Origin equal to the public origin (or, on a loopback
   * Host, to that same host), or failing an Origin, `Sec-Fetch-Site: same-origin`. Without a
   * cookie (a login, a script) a foreign Origin is still refused, so no page elsewhere can
   * sign a visitor in to an account of its choosing.
   */
  writeAllowed(headers: IncomingHttpHeaders, withCookie: boolean): boolean {
    const origin = headers.origin;
    if (origin && origin !== 'null') return this.originAllowed(origin, headers.host);
    if (origin === 'null') return false;
    if (!withCookie) return true;
    return headers['sec-fetch-site'] === 'same-origin';
  }

  /** The WebSocket rule: browsers let any page open one, so only our own origins may. */
  originAllowed(origin: string, host: string | undefined): boolean {
    if (origin === this.publicOrigin) return true;
    if (!host || !isLoopback(hostName(host))) return false;
    try {
      const url = new URL(origin);
      return url.host === host.toLowerCase() && (url.protocol === 'http:' || url.protocol === 'https:');
    } catch {
      return false;
    }
  }
}
