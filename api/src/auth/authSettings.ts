import { ConfigError, isRole, roles, type Role } from '@shelf/contract';

/** One line of `SHELF_OIDC_ROLES`: members of `group` (or anyone, for `*`) get `role`. */
export interface RoleRule {
  role: Role;
  groups: string[];
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** "Sign in with <label>" */
  label: string;
  scopes: string;
  /** The ID token / userinfo claim that lists the user's groups. */
  groupsClaim: string;
  roleMap: RoleRule[];
}

/** The identity part of the API's configuration, parsed once at start (config.ts). */
export interface AuthSettings {
  /** The origin users reach Shelf at; cookie-authenticated writes must come from it. */
  publicUrl: string;
  /** False when publicUrl is the loopback default (main.ts warns when it binds beyond loopback). */
  publicUrlGiven?: boolean;
  /** Host names accepted besides the public host and loopback names (e.g. `api` inside compose). */
  allowedHosts: string[];
  adminToken?: string;
  /** SHELF_WORKER_TOKEN: workers fetch bundles with it, and may do nothing else. */
  workerToken?: string;
  /** Key of the token hash; from SHELF_AUTH_KEY, else a generated file in dataDir. */
  authKey?: string;
  dataDir: string;
  sessionIdleMs: number;
  sessionMaxMs: number;
  loginMaxFailures: number;
  auditMaxEntries: number;
  oidc?: OidcSettings;
}

/**
 * Parses `admin=platform-admins;publisher=platform,dev;runner=*`. A bad entry stops the start
 * with a sentence naming it, like every other setting.
 */
export function parseRoleMap(text: string): RoleRule[] {
  const rules: RoleRule[] = [];
  for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const role = part.slice(0, eq).trim();
    const groups = part.slice(eq + 1).split(',').map((g) => g.trim()).filter(Boolean);
    if (eq < 1 || !isRole(role) || groups.length === 0) {
      throw new ConfigError(`the API cannot start: SHELF_OIDC_ROLES entry "${part}" is not <role>=<group>[,<group>…] with a role among ${roles.join(', ')}`);
    }
    rules.push({ role, groups });
  }
  return rules;
}

/** The highest role the rules give someone in `groups`; undefined when none applies. */
export function roleFromGroups(rules: RoleRule[], groups: string[]): Role | undefined {
  let best: Role | undefined;
  for (const rule of rules) {
    if (!rule.groups.some((g) => g === '*' || groups.includes(g))) continue;
    if (!best || roles.indexOf(rule.role) > roles.indexOf(best)) best = rule.role;
  }
  return best;
}
