/** Pages anyone may open: a 401 there is expected and sends nobody anywhere. */
const publicPaths = ['/login', '/setup'];

export function isPublicPath(pathname: string): boolean {
  return publicPaths.includes(pathname.replace(/\/+$/, '') || '/');
}

/** Where a page that needs a session sends the user, remembering where to come back to. */
export function loginPath(next: string): string {
  return next && next !== '/' && !isPublicPath(next.split('?')[0]!) ? `/login?next=${encodeURIComponent(next)}` : '/login';
}

/**
 * The `next` of a login URL, if it is a path of this app. Anything else (`//evil.example`,
 * `https://…`, `/\evil`) becomes `/`, so a crafted link cannot send a fresh session elsewhere.
 */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return isPublicPath(next.split('?')[0]!) ? '/' : next;
}
