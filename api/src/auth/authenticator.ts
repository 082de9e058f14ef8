import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parse as parseCookies } from 'cookie';
import { roleAtLeast, sessionCookieName, tokenPrefix } from '@shelf/contract';
import { UnauthenticatedError } from '../errors.js';
import { adminTokenActor, workerTokenActor, type Principal } from './principal.js';
import type { SessionStore } from './sessionStore.js';
import type { TokenStore } from './tokenStore.js';
import type { UserStore } from './userStore.js';

export interface Credentials {
  principal?: Principal;
  /** How the request identified itself: decides whether the browser-safety rules apply. */
  via: 'cookie' | 'bearer' | 'none';
}

/** sha256 first, so the comparison takes as long whatever the lengths. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** The operator's bearer tokens, from the environment; either may be unset. */
export interface OperatorTokens {
  /** SHELF_ADMIN_TOKEN: the admin role. */
  adminToken?: string;
  /** SHELF_WORKER_TOKEN: downloading bundles, nothing else. */
  workerToken?: string;
}

/**
 * Turns a request's credentials into a principal: `Authorization: Bearer` (SHELF_ADMIN_TOKEN,
 * SHELF_WORKER_TOKEN or an API token) first, else the session cookie. The user record is read on
 * every request, so a role change or a disabled account takes effect at once. The HTTP middleware
 * and the WebSocket upgrade both use it.
 */
export class Authenticator {
  constructor(
    private readonly deps: { users: UserStore; sessions: SessionStore; tokens: TokenStore },
    private readonly operatorTokens: OperatorTokens,
  ) {}

  /** A bearer that is not (or no longer) valid is a 401, never a silent anonymous request. */
  async identify(headers: IncomingHttpHeaders): Promise<Credentials> {
    const authorization = headers.authorization;
    if (authorization) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!m) throw new UnauthenticatedError('the Authorization header must be "Bearer <token>"');
      return { principal: await this.fromBearer(m[1]!), via: 'bearer' };
    }
    const cookie = headers.cookie ? parseCookies(headers.cookie)[sessionCookieName] : undefined;
    if (!cookie) return { via: 'none' };
    return { principal: await this.fromSession(cookie), via: 'cookie' };
  }

  private async fromBearer(token: string): Promise<Principal> {
    const { adminToken, workerToken } = this.operatorTokens;
    if (adminToken && sameSecret(token, adminToken)) {
      return { ...adminTokenActor, role: 'admin', groups: [], via: 'token' };
    }
    if (workerToken && sameSecret(token, workerToken)) {
      // The scope is what limits it (policy.canUseRoute); the lowest role is a second fence.
      return { ...workerTokenActor, role: 'viewer', groups: [], via: 'token', scope: 'worker' };
    }
    const invalid = new UnauthenticatedError('the API token is not valid: unknown, revoked or expired');
    if (!token.startsWith(tokenPrefix)) throw invalid;
    const stored = await this.deps.tokens.use(token);
    if (!stored) throw invalid;
    const owner = await this.deps.users.get(stored.owner.id);
    if (!owner || owner.disabled) throw invalid;
    // A token never does more than its owner may do today.
    const role = roleAtLeast(owner.role, stored.role) ? stored.role : owner.role;
    return { id: owner.id, username: owner.username, name: owner.name, email: owner.email, role, groups: owner.groups, via: 'token', tokenId: stored.id };
  }

  /** undefined for a cookie whose session is gone: the request is then anonymous. */
  private async fromSession(cookie: string): Promise<Principal | undefined> {
    const session = await this.deps.sessions.touch(cookie);
    if (!session) return undefined;
    const user = await this.deps.users.get(session.userId);
    if (!user || user.disabled) {
      await this.deps.sessions.destroy(session.hash, session.userId);
      return undefined;
    }
    return {
      id: user.id,
      username: user.username,
      name: user.name,
      email: user.email,
      role: user.role,
      groups: user.groups,
      via: 'session',
      sessionHash: session.hash,
    };
  }
}
