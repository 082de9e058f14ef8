import type { Redis } from 'ioredis';
import type { Response, Router } from 'express';
import type { RedisKeys } from '@shelf/contract';
import type { Logger } from '../logger.js';
import { Accounts } from './accounts.js';
import { AttemptLimiter } from './attemptLimiter.js';
import { AuditLog } from './auditLog.js';
import { loadAuthKey } from './authKey.js';
import type { AuthSettings } from './authSettings.js';
import { Authenticator } from './authenticator.js';
import { BrowserSafety } from './browserSafety.js';
import { SessionStore } from './sessionStore.js';
import { SetupLink } from './setupLink.js';
import { TokenStore } from './tokenStore.js';
import { UserStore } from './userStore.js';

/** Signs a browser in: the OIDC area gets this from the auth routes. */
export type SetSessionCookie = (res: Response, cookieValue: string) => void;

/** OIDC single sign-on (oidcLogin.ts): its label for the login page and its two routes. */
export interface OidcLogin {
  label: string;
  router: (setCookie: SetSessionCookie) => Router;
}

export interface AuthOptions {
  keys: RedisKeys;
  settings: AuthSettings;
  logger: Logger;
  /** Built when OIDC is configured; main.ts passes createOidcLogin. */
  createOidc?: (deps: { accounts: Accounts; users: UserStore; audit: AuditLog; redis: Redis; keys: RedisKeys; logger: Logger; publicUrl: string }) => Promise<OidcLogin>;
}

/** Identity and access wired together; main.ts and the tests build it the same way. */
export async function createAuthServices(redis: Redis, opts: AuthOptions) {
  const { keys, settings } = opts;
  const users = new UserStore(redis, keys);
  const sessions = new SessionStore(redis, keys, { idleMs: settings.sessionIdleMs, maxMs: settings.sessionMaxMs });
  const tokens = new TokenStore(redis, keys, await loadAuthKey(settings.authKey, settings.dataDir));
  const audit = new AuditLog(redis, keys, settings.auditMaxEntries);
  const setupLink = new SetupLink();
  const window = 15 * 60;
  const accounts = new Accounts({
    users,
    sessions,
    tokens,
    setupLink,
    loginLimiter: new AttemptLimiter(redis, `${keys.rateLimitPrefix}:login`, { points: settings.loginMaxFailures, windowSeconds: window, what: 'failed sign-ins' }),
    addressLimiter: new AttemptLimiter(redis, `${keys.rateLimitPrefix}:login-ip`, { points: settings.loginMaxFailures * 10, windowSeconds: window, what: 'failed sign-ins from this address' }),
    creationLimiter: new AttemptLimiter(redis, `${keys.rateLimitPrefix}:accounts`, { points: 30, windowSeconds: window, what: 'account creations' }),
  });
  const oidc = opts.createOidc && settings.oidc ? await opts.createOidc({ accounts, users, audit, redis, keys, logger: opts.logger, publicUrl: settings.publicUrl }) : undefined;
  return {
    users,
    sessions,
    tokens,
    audit,
    accounts,
    setupLink,
    oidc,
    authenticator: new Authenticator({ users, sessions, tokens }, { adminToken: settings.adminToken, workerToken: settings.workerToken }),
    safety: new BrowserSafety(settings.publicUrl, settings.allowedHosts),
    secureCookies: settings.publicUrl.startsWith('https:'),
    sessionMaxMs: settings.sessionMaxMs,
    /**
     * The first-start link, when no user exists yet: a new one each start, valid until used or
     * until the process ends.
     */
    async firstStartLink(): Promise<string | undefined> {
      if ((await users.count()) > 0) return undefined;
      return `${settings.publicUrl.replace(/\/$/, '')}/setup?token=${setupLink.issue()}`;
    },
  };
}
export type AuthServices = Awaited<ReturnType<typeof createAuthServices>>;
