import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { parse as parseCookies } from 'cookie';
import type { Redis } from 'ioredis';
import * as client from 'openid-client';
import { ConfigError, type RedisKeys, type Role } from '@shelf/contract';
import { ConflictError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Accounts } from './accounts.js';
import type { AuditLog } from './auditLog.js';
import { roleFromGroups, type OidcSettings } from './authSettings.js';
import { allow } from './httpGuards.js';
import type { OidcLogin, SetSessionCookie } from './index.js';
import type { UserRecord, UserStore } from './userStore.js';

export interface OidcDeps {
  accounts: Accounts;
  users: UserStore;
  audit: AuditLog;
  redis: Redis;
  keys: RedisKeys;
  logger: Logger;
  /** SHELF_PUBLIC_URL: the redirect URI registered at the provider is built from it, never from the request's Host. */
  publicUrl: string;
}

export const oidcLoginPath = '/api/auth/oidc/login';
export const oidcCallbackPath = '/api/auth/oidc/callback';
const pendingTtlSeconds = 10 * 60;
/** Binds a pending sign-in to the browser that started it; sent to the OIDC routes only. */
const bindingCookie = 'shelf_oidc_binding';
const bindingPattern = /^[A-Za-z0-9_-]{43}$/;
/** Actors that audit entries and job records name; a provider account must not pose as one. */
const reservedUsernames = new Set(['admin-token', 'worker-token', 'system', 'anonymous']);
const maxUsernameLength = 120;

/** A sign-in Shelf refuses; the message is the sentence the login page shows. */
export class SignInRefused extends Error {
  constructor(
    message: string,
    readonly actor?: string,
  ) {
    super(message);
    this.name = 'SignInRefused';
  }
}

/** What the login step keeps in Redis until the provider sends the browser back. */
interface PendingSignIn {
  verifier: string;
  nonce: string;
  returnTo: string;
  /** sha256 of the binding cookie's value. */
  binding: string;
}

const restart = 'start again from the sign-in page';

/** OIDC single sign-on: authorization code flow with PKCE, state and nonce; the provider's groups decide the role at every sign-in. */
export async function createOidcLogin(settings: OidcSettings, deps: OidcDeps): Promise<OidcLogin> {
  const signIn = new OidcSignIn(settings, deps);
  // Shelf starts even when the provider is down, so local accounts keep working; the next sign-in retries.
  await signIn.providerConfig().catch((err: Error) => deps.logger.warn({ issuer: settings.issuer, err: err.message }, 'OIDC discovery failed; will retry at the next sign-in'));
  return { label: settings.label, router: (setCookie) => oidcRouter(signIn, deps, setCookie) };
}

function oidcRouter(signIn: OidcSignIn, deps: OidcDeps, setCookie: SetSessionCookie): Router {
  const r = Router();
  const secure = deps.publicUrl.startsWith('https:');
  // The audit middleware leaves successful GETs out, and both answers here are redirects: record them here.
  const record = (req: Request, e: { actor: string; action: string; outcome: 'ok' | 'denied'; detail: string }) =>
    deps.audit.record({ ...e, target: e.actor, ip: req.ip ?? '' }).catch((err: Error) => deps.logger.warn({ err: err.message }, 'could not write the audit log'));
  const refuse = async (req: Request, res: Response, message: string, actor = 'anonymous') => {
    await record(req, { actor, action: 'auth.login_failed', outcome: 'denied', detail: message });
    res.redirect(302, `/login?error=${encodeURIComponent(message)}`);
  };

  r.get(oidcLoginPath, allow('public', 'auth.oidc_login'), async (req, res) => {
    const returnTo = safeReturnTo(req.query.returnTo, deps.publicUrl);
    try {
      // An existing binding is kept, so sign-ins started in two tabs can both finish.
      const binding = bindingOf(req) ?? randomBytes(32).toString('base64url');
      const url = await signIn.start(returnTo, binding);
      // Lax: the provider sends the browser back with a top-level GET, which still carries it.
      res.cookie(bindingCookie, binding, { httpOnly: true, sameSite: 'lax', secure, path: '/api/auth/oidc', maxAge: pendingTtlSeconds * 1000 });
      res.redirect(302, url.href);
    } catch (err) {
      await refuse(req, res, signIn.sentenceFor(err));
    }
  });

  r.get(oidcCallbackPath, allow('public', 'auth.login'), async (req, res) => {
    try {
      const q = req.originalUrl.indexOf('?');
      const { user, returnTo } = await signIn.finish(q === -1 ? '' : req.originalUrl.slice(q + 1), bindingOf(req));
      const { cookie } = await deps.accounts.signIn(user);
      setCookie(res, cookie);
      await record(req, { actor: user.username, action: 'auth.login', outcome: 'ok', detail: 'single sign-on' });
      res.redirect(302, returnTo);
    } catch (err) {
      await refuse(req, res, signIn.sentenceFor(err), err instanceof SignInRefused ? err.actor : undefined);
    }
  });
  return r;
}

/** The sign-in steps, free of HTTP: the router hands them URLs and cookie values. */
export class OidcSignIn {
  private config: Promise<client.Configuration> | undefined;
  private readonly issuer: URL;
  private readonly redirectUri: string;

  constructor(
    private readonly settings: OidcSettings,
    private readonly deps: OidcDeps,
  ) {
    this.issuer = new URL(settings.issuer);
    if (this.issuer.protocol !== 'https:' && !(this.issuer.protocol === 'http:' && isLoopback(this.issuer.hostname))) {
      throw new ConfigError(`the API cannot start: SHELF_OIDC_ISSUER must be an https URL (plain http only for a loopback address), not ${settings.issuer}`);
    }
    this.redirectUri = new URL(oidcCallbackPath, deps.publicUrl).href;
  }

  /** The provider's metadata, discovered once; a failed discovery is tried again next time. */
  providerConfig(): Promise<client.Configuration> {
    const { settings } = this;
    // Plain http is accepted for a loopback issuer only (tests, a developer's machine): the code and
    // tokens then never cross a network. Anywhere else they would travel readable, so https is a must.
    const options = this.issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined;
    this.config ??= client.discovery(this.issuer, settings.clientId, settings.clientSecret, client.ClientSecretBasic(settings.clientSecret), options).catch((err: Error) => {
      this.config = undefined;
      throw new SignInRefused(`the sign-in provider at ${settings.issuer} cannot be reached right now (${err.message}); try again later`);
    });
    return this.config;
  }

  /** Remembers a new sign-in for 10 minutes and returns the provider's authorization URL. */
  async start(returnTo: string, binding: string): Promise<URL> {
    const config = await this.providerConfig();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const verifier = client.randomPKCECodeVerifier();
    const pending: PendingSignIn = { verifier, nonce, returnTo, binding: sha256(binding) };
    await this.deps.redis.set(this.deps.keys.oidcState(state), JSON.stringify(pending), 'EX', pendingTtlSeconds);
    return client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: this.settings.scopes,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
  }

  /** Checks the provider's answer (the callback's query string), then finds or creates the user it names. */
  async finish(query: string, binding: string | undefined): Promise<{ user: UserRecord; returnTo: string }> {
    // Rebuilt on the registered redirect URI, which the library also sends to the token endpoint.
    const callbackUrl = new URL(this.redirectUri);
    callbackUrl.search = query;
    const state = callbackUrl.searchParams.get('state');
    if (!state) throw new SignInRefused(`the answer from the sign-in provider carries no state; ${restart}`);
    // GETDEL: a pending sign-in is used once, so a replayed callback URL finds nothing.
    const stored = await this.deps.redis.getdel(this.deps.keys.oidcState(state));
    if (!stored) throw new SignInRefused(`this sign-in is unknown, expired (after 10 minutes) or already used; ${restart}`);
    const pending = JSON.parse(stored) as PendingSignIn;
    if (!binding || !timingSafeEqual(Buffer.from(sha256(binding)), Buffer.from(pending.binding))) {
      throw new SignInRefused(`this sign-in was started in another browser, or this browser dropped its cookie; ${restart} in this browser`);
    }
    const config = await this.providerConfig();
    // The library checks state, the PKCE verifier at the token endpoint, the nonce, and the ID token's signature, issuer, audience and age.
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: pending.verifier, expectedState: state, expectedNonce: pending.nonce });
    const idClaims = tokens.claims()!; // present: an expected nonce makes the library require an ID token
    // Many providers put groups (and often profile claims) in userinfo only; the ID token wins where both have a claim.
    const claims = idClaims[this.settings.groupsClaim] === undefined ? { ...(await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)), ...idClaims } : idClaims;
    const user = await this.provision(idClaims.iss, claims);
    return { user, returnTo: pending.returnTo };
  }

  /** The sentence for the login page; unexpected failures are logged, their details stay in the log. */
  sentenceFor(err: unknown): string {
    if (err instanceof SignInRefused) return err.message;
    if (err instanceof client.AuthorizationResponseError) {
      const why = err.error_description ? `: ${err.error_description.slice(0, 200)}` : '';
      return err.error === 'access_denied' ? `the sign-in was cancelled or refused at the provider${why}` : `the sign-in provider answered with an error (${err.error})${why}`;
    }
    if (err instanceof client.ResponseBodyError && err.error === 'invalid_grant') {
      return `the sign-in provider did not accept the sign-in code: it expired, was already used, or belongs to another sign-in; ${restart}`;
    }
    this.deps.logger.warn({ err }, 'OIDC sign-in failed');
    if (err instanceof client.ResponseBodyError || err instanceof client.ClientError) {
      return `the answer from the sign-in provider did not pass Shelf's checks (${err.message}); ${restart}`;
    }
    return `single sign-on failed because of an error in Shelf; try again, and tell an administrator if it keeps failing`;
  }

  /** `issuer` is the ID token's `iss`, which the library checked against the discovered issuer. */
  private async provision(issuer: string, claims: client.IDToken | client.UserInfoResponse): Promise<UserRecord> {
    const subject = `${issuer}|${claims.sub}`;
    const username = text(claims.preferred_username) ?? text(claims.email) ?? claims.sub;
    const groups = groupsOf(claims[this.settings.groupsClaim]);
    const known = await this.deps.users.bySubject(subject);
    if (known?.disabled) throw new SignInRefused(`the Shelf account ${known.username} is disabled; ask a Shelf administrator`, known.username);
    const role = roleFromGroups(this.settings.roleMap, groups);
    if (!role) {
      const seen = groups.length ? `its groups (${groups.join(', ')}) are` : 'it is in no group, which is';
      throw new SignInRefused(`the account ${known?.username ?? username} has no Shelf role: ${seen} not mapped to a role in SHELF_OIDC_ROLES; ask a Shelf administrator`, known?.username ?? username);
    }
    const profile = { role, groups, email: text(claims.email), name: text(claims.name) };
    if (known) return this.deps.users.update(known.id, profile);
    return this.create(subject, username, profile);
  }

  /**
   * A new user under the provider's name, or that name plus a short suffix when another user
   * already holds it. Never merged by name: a provider account called like a local admin would
   * otherwise take over that admin. The subject, not the name, is what finds the user next time.
   */
  private async create(subject: string, username: string, profile: { role: Role; groups: string[]; email?: string; name?: string }): Promise<UserRecord> {
    const base = username.slice(0, maxUsernameLength - 7);
    for (let attempt = 0; attempt < 5; attempt++) {
      const candidate = attempt === 0 && !reservedUsernames.has(base.toLowerCase()) ? base : `${base}-${randomBytes(3).toString('hex')}`;
      try {
        return await this.deps.users.create({ ...profile, username: candidate, source: 'oidc', subject });
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        // The same person signing in twice at once: the other request created the user.
        const raced = await this.deps.users.bySubject(subject);
        if (raced) return this.deps.users.update(raced.id, profile);
      }
    }
    throw new SignInRefused(`no free Shelf username was found for ${username}; ask a Shelf administrator`, username);
  }
}

/** A same-site path (`/x`, not `//host` or `/\host`, which browsers read as another site); anything else is `/`. */
export function safeReturnTo(value: unknown, publicUrl: string): string {
  if (typeof value !== 'string' || !/^\/(?![/\\])[^\\]*$/.test(value) || /\p{Cc}/u.test(value)) return '/';
  const url = new URL(value, publicUrl);
  // Dot segments can collapse to `//host` once resolved (`/..//host`), so the result is checked again.
  const path = `${url.pathname}${url.search}${url.hash}`;
  return url.origin === new URL(publicUrl).origin && !path.startsWith('//') ? path : '/';
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A groups claim is a list of names; some providers send a single name as a string. */
export function groupsOf(claim: unknown): string[] {
  if (typeof claim === 'string') return [claim];
  return Array.isArray(claim) ? claim.filter((g): g is string => typeof g === 'string') : [];
}

function bindingOf(req: Request): string | undefined {
  const value = req.headers.cookie ? parseCookies(req.headers.cookie)[bindingCookie] : undefined;
  return value && bindingPattern.test(value) ? value : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
