/**
 * Identity and access (SPEC §7): roles, principals, and the shapes of the auth endpoints.
 * The API decides; the web app uses the same names to hide what a role cannot do.
 */

/** Roles, each including the ones before it. */
export const roles = ['viewer', 'runner', 'publisher', 'admin'] as const;
export type Role = (typeof roles)[number];

export const Role = {
  viewer: 'viewer',
  runner: 'runner',
  publisher: 'publisher',
  admin: 'admin',
} as const satisfies Record<Role, Role>;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

/** Whether `role` includes `min` (admin ⊇ publisher ⊇ runner ⊇ viewer). */
export function roleAtLeast(role: Role, min: Role): boolean {
  return roles.indexOf(role) >= roles.indexOf(min);
}

/** The higher of two roles. */
export function higherRole(a: Role, b: Role): Role {
  return roleAtLeast(a, b) ? a : b;
}

/** A principal in a manifest's `access` or `approval` list: `role:<role>`, `group:<name>` or `user:<username>`. */
export const principalPattern = '^(role:(viewer|runner|publisher|admin)|group:[^\\s:][^\\s]{0,199}|user:[^\\s:][^\\s]{0,119})$';

/** The manifest's `access.run` when it has none. */
export const defaultRunAccess = ['role:runner'];

/** Usernames of local accounts (OIDC users keep what their provider says, within 120 characters). */
export const usernamePattern = '^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$';

/** Shortest password a local account accepts. */
export const minPasswordLength = 12;

/** Every API token starts with this, so secret scanners can find leaked ones. */
export const tokenPrefix = 'shelf_';

/** `GET /api/me`. */
export interface Me {
  id: string;
  username: string;
  name?: string;
  email?: string;
  role: Role;
  groups: string[];
  via: 'session' | 'token';
  /** Mail me when a job of mine ends (`PATCH /api/me`); absent for SHELF_ADMIN_TOKEN. */
  notifyOnFinish?: boolean;
}

/** Who submitted a job or published a version. */
export interface Actor {
  id: string;
  username: string;
}

/** A user as the Users page and `GET /api/users` show it. */
export interface UserInfo {
  id: string;
  username: string;
  name?: string;
  email?: string;
  role: Role;
  /** `local` accounts have a password; `oidc` ones sign in at the provider (their role follows its groups). */
  source: 'local' | 'oidc';
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

/** An API token as listed; the secret itself is shown once, at creation. */
export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  /** The first characters of the secret (`shelf_abcd…`), to recognise it. */
  hint: string;
  owner: Actor;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** `POST /api/tokens` answer: the only time the secret is shown. */
export interface CreatedToken extends TokenInfo {
  token: string;
}

/** `GET /api/auth/config`, public: what the login page offers. */
export interface AuthConfig {
  local: boolean;
  oidc: { enabled: boolean; label: string };
  /** A first-start set-up link is waiting to be used (no user exists yet). */
  setupPending: boolean;
}

export type AuditOutcome = 'ok' | 'denied' | 'failed';

/** One row of `GET /api/audit`. */
export interface AuditEntry {
  id: string;
  ts: string;
  /** `username` of who acted, `anonymous`, or `admin-token` for SHELF_ADMIN_TOKEN. */
  actor: string;
  /** e.g. `auth.login`, `job.submit`, `item.import`. */
  action: string;
  /** What it acted on (a job id, `item@version`, a username), '' when nothing in particular. */
  target: string;
  outcome: AuditOutcome;
  ip: string;
  /** Extra words: the HTTP status, the reason of a refusal. */
  detail?: string;
}

/** The session cookie's name. */
export const sessionCookieName = 'shelf_session';
