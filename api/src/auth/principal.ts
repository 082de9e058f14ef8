import type { Actor, Me, Role } from '@shelf/contract';

/** Who is asking: a signed-in user, a user's API token, SHELF_ADMIN_TOKEN or SHELF_WORKER_TOKEN. */
export interface Principal {
  id: string;
  username: string;
  name?: string;
  email?: string;
  /** For a token, the lower of the token's role and its owner's current role. */
  role: Role;
  groups: string[];
  via: 'session' | 'token';
  /** The session's key hash, to end it at logout. */
  sessionHash?: string;
  tokenId?: string;
  /**
   * `worker` for SHELF_WORKER_TOKEN: whatever its role says, it may use only the routes policy.ts
   * opens to workers (canUseRoute). A separate marker rather than a role, so no user can be given it.
   */
  scope?: 'worker';
}

/** The id and name of SHELF_ADMIN_TOKEN's principal; no user can have them (ids are hex). */
export const adminTokenActor: Actor = { id: 'admin-token', username: 'admin-token' };

/** The id and name of SHELF_WORKER_TOKEN's principal, the name the audit log shows for it. */
export const workerTokenActor: Actor = { id: 'worker-token', username: 'worker-token' };

/** The importer of the bundled examples at start-up. */
export const systemActor: Actor = { id: 'system', username: 'system' };

export function toMe(p: Principal): Me {
  return {
    id: p.id,
    username: p.username,
    ...(p.name ? { name: p.name } : {}),
    ...(p.email ? { email: p.email } : {}),
    role: p.role,
    groups: p.groups,
    via: p.via,
  };
}

export function actorOf(p: Principal): Actor {
  return { id: p.id, username: p.username };
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the authentication middleware when the request carries valid credentials. */
    principal?: Principal;
  }
}
