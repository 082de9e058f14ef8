import type { Request } from 'express';

/** Who asked, for provenance. There is no authentication yet, so it is the client address. */
export function requester(req: Request): string {
  return `anonymous@${req.ip ?? 'unknown'}`;
}
