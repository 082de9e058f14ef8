import { promises as dns } from 'node:dns';
import { UnavailableError } from '../errors.js';

export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

/** Every address of a name, as the system resolver answers (hosts file included). */
export const systemLookup: LookupAll = (host) => dns.lookup(host, { all: true, verbatim: true });

/**
 * The addresses `host` resolves to, for a policy that must check each before connecting;
 * null when the name does not resolve. A resolver that fails or hangs past `timeoutMs` is
 * Shelf's trouble, not a verdict on the URL: UnavailableError (503).
 */
export async function resolveHost(host: string, lookup: LookupAll, timeoutMs: number): Promise<string[] | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('DNS lookup timed out'), { code: 'ETIMEOUT' })), timeoutMs);
  });
  try {
    const found = await Promise.race([lookup(host), timeout]);
    return found.length ? found.map((a) => a.address) : null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return null;
    throw new UnavailableError(`could not resolve ${host} to check it is public: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}
