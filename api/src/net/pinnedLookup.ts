import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

/**
 * A `lookup` for http.request that answers with addresses a policy already checked, so the
 * connection goes to exactly those and a second DNS answer (rebinding) is never asked for.
 * TLS still verifies the certificate against the URL's host name.
 */
export function pinnedLookup(addresses: readonly string[]): LookupFunction {
  const entries: LookupAddress[] = addresses.map((address) => ({ address, family: isIP(address) }));
  return ((_host: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    const sameFamily = options.family === 4 || options.family === 6 ? entries.filter((e) => e.family === options.family) : entries;
    const list = sameFamily.length ? sameFamily : entries;
    if (options.all) callback(null, list);
    else callback(null, list[0]!.address, list[0]!.family);
  }) as LookupFunction;
}
