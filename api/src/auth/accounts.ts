import type { Role } from '@shelf/contract';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../errors.js';
import type { AttemptLimiter } from './attemptLimiter.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { SessionStore } from './sessionStore.js';
import type { SetupLink } from './setupLink.js';
import type { TokenStore } from './tokenStore.js';
import { type UserRecord, type UserStore } from './userStore.js';
import { minPasswordLength } from '@shelf/contract';

export interface NewLocalUser {
  username: string;
  password: string;
  role: Role;
  email?: string;
  name?: string;
}

export interface SignedIn {
  user: UserRecord;
  /** The session cookie's value. */
  cookie: string;
}

export interface AccountDeps {
  users: UserStore;
  sessions: SessionStore;
  tokens: TokenStore;
  setupLink: SetupLink;
  /** Failed logins per username: a guessed password. */
  loginLimiter: AttemptLimiter;
  /** Failed logins per address: one client trying many usernames (a higher limit, as offices share addresses). */
  addressLimiter: AttemptLimiter;
  /** Account creations, per address. */
  creationLimiter: AttemptLimiter;
}

const wrongCredentials = 'wrong username or password';

/** Local accounts: sign-in, the first-start admin, and what admins do to users. */
export class Accounts {
  constructor(private readonly deps: AccountDeps) {}

  async login(username: string, password: string, ip: string): Promise<SignedIn> {
    const name = username.toLowerCase();
    await Promise.all([this.deps.loginLimiter.check([`user:${name}`]), this.deps.addressLimiter.check([`ip:${ip}`])]);
    const user = await this.deps.users.byUsername(username);
    const ok = await verifyPassword(user?.source === 'local' ? user.passwordHash : undefined, password);
    if (!user || !ok || user.disabled) {
      await Promise.all([this.deps.loginLimiter.count([`user:${name}`]), this.deps.addressLimiter.count([`ip:${ip}`])]);
      // One message whatever was wrong, so the answer does not tell which usernames exist.
      throw new UnauthenticatedError(wrongCredentials);
    }
    await this.deps.loginLimiter.reset(`user:${name}`);
    return this.signIn(user);
  }

  /** A new session for a user who proved who they are (password or OIDC). */
  async signIn(user: UserRecord): Promise<SignedIn> {
    const updated = await this.deps.users.update(user.id, { lastLoginAt: new Date().toISOString() });
    const { cookie } = await this.deps.sessions.create(user.id);
    return { user: updated, cookie };
  }

  async logout(sessionHash: string): Promise<void> {
    await this.deps.sessions.destroy(sessionHash);
  }

  /** The first admin, through the one-time link; refused once any user exists. */
  async setup(token: string, user: Omit<NewLocalUser, 'role'>, ip: string): Promise<SignedIn> {
    await this.countCreation(user.username, ip);
    checkPassword(user.password);
    if ((await this.deps.users.count()) > 0 || !this.deps.setupLink.redeem(token)) {
      throw new ForbiddenError('this set-up link is no longer valid: it works once, until Shelf restarts, and only while no user exists');
    }
    const created = await this.createLocal({ ...user, role: 'admin' });
    return this.signIn(created);
  }

  async createUser(user: NewLocalUser, ip: string): Promise<UserRecord> {
    await this.countCreation(user.username, ip);
    checkPassword(user.password);
    const created = await this.createLocal(user);
    this.deps.setupLink.revoke();
    return created;
  }

  /** Account creation is limited per address and per username, like sign-in. */
  private async countCreation(username: string, ip: string): Promise<void> {
    const keys = [`ip:${ip}`, `user:${username.toLowerCase()}`];
    await this.deps.creationLimiter.check(keys);
    await this.deps.creationLimiter.count(keys);
  }

  private async createLocal(user: NewLocalUser): Promise<UserRecord> {
    return this.deps.users.create({
      username: user.username,
      role: user.role,
      email: user.email,
      name: user.name,
      source: 'local',
      passwordHash: await hashPassword(user.password),
    });
  }

  /** Role, enabled/disabled, password. Disabling (or a new password) ends the user's sessions; disabling revokes their tokens. */
  async updateUser(id: string, change: { role?: Role; disabled?: boolean; password?: string }): Promise<UserRecord> {
    const user = await this.deps.users.require(id);
    if (change.password !== undefined) {
      if (user.source !== 'local') throw new ValidationError('OIDC users sign in at their provider', [{ file: 'request', path: '/password', message: 'an OIDC user has no Shelf password' }]);
      checkPassword(change.password);
    }
    const updated = await this.deps.users.update(id, {
      ...(change.role ? { role: change.role } : {}),
      ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
      ...(change.password !== undefined ? { passwordHash: await hashPassword(change.password) } : {}),
    });
    if (change.disabled || change.password !== undefined) await this.deps.sessions.destroyAll(id);
    if (change.disabled) await this.deps.tokens.revokeAll(id);
    return updated;
  }
}

function checkPassword(password: string): void {
  if (password.length < minPasswordLength) {
    throw new ValidationError(`the password is too short`, [
      { file: 'request', path: '/password', message: `must be at least ${minPasswordLength} characters` },
    ]);
  }
}
