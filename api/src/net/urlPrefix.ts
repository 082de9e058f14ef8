/**
 * Whether `url` lies under an allow-list entry: same scheme, host and port, and the entry's
 * path is a whole-segment prefix of the URL's (`https://h/a` allows `/a/b`, not `/ab`).
 */
export function underPrefix(url: URL, prefix: URL): boolean {
  if (url.protocol !== prefix.protocol || url.host !== prefix.host) return false;
  const p = prefix.pathname;
  return url.pathname === p || url.pathname.startsWith(p.endsWith('/') ? p : `${p}/`);
}
