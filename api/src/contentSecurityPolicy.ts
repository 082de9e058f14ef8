import type { IncomingMessage, ServerResponse } from 'node:http';

/** A directive's value: a source, or one computed per response (a nonce). */
type Source = string | ((req: IncomingMessage, res: ServerResponse) => string);

/** Shelf's Content-Security-Policy (helmet's defaults plus these), for every answer but the API reference page. */
export const cspDirectives: Record<string, Source[] | null> = {
  'connect-src': ["'self'", 'ws:', 'wss:'],
  'img-src': ["'self'", 'data:'],
  // No 'unsafe-eval': the form validates with modules precompiled on the server (api/src/validators).
  'script-src': ["'self'"],
  // Styles only from Shelf's own stylesheet: no inline <style> or style attribute, so
  // injected markup cannot restyle the page (React's style props are CSSOM, still allowed).
  'style-src': ["'self'"],
  // Shelf is often served over plain HTTP inside a network; upgrading would break it there.
  'upgrade-insecure-requests': null,
};

/**
 * The API reference page (/api/docs) runs Redoc, which needs three things the policy above
 * refuses, and gets those alone (api/test/openapi.docs.test.ts renders it in Chromium and fails
 * on any violation, so a Redoc upgrade that needs more shows there):
 * - the styles styled-components writes at run time into `<style>` elements: allowed by this
 *   answer's nonce, which Redoc's `nonce` option stamps on them (not 'unsafe-inline');
 * - two `<style>` elements its bundle adds as it loads, before any option is read: the
 *   perfect-scrollbar stylesheet and an empty one, allowed by their exact hashes;
 * - its search index, which runs in a Web Worker made from a `blob:` URL: `worker-src blob:`.
 * Scripts stay 'self' (Redoc's bundle and the page's start-up script are files Shelf serves), and
 * its footer's logo on cdn.redoc.ly stays refused by img-src: nothing on the page leaves Shelf.
 */
export function docsCspDirectives(nonceOf: (res: ServerResponse) => string): Record<string, Source[] | null> {
  return {
    ...cspDirectives,
    'style-src': ["'self'", (_req, res) => `'nonce-${nonceOf(res)}'`, ...redocLoadStyles],
    'worker-src': ["'self'", 'blob:'],
  };
}

/** sha256 of the `<style>` texts Redoc 2.5's standalone bundle adds while it loads (perfect-scrollbar's, and an empty one). */
const redocLoadStyles = ["'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='", "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"];
