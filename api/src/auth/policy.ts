import picomatch from 'picomatch';
import { defaultRunAccess, isRole, principalIndexName, roleAtLeast, roles, type Actor, type Manifest, type Role } from '@shelf/contract';
import type { Principal } from './principal.js';

/**
 * Every permission decision of Shelf, one function each (STYLE: decide permissions in one
 * place). Routes and domain code ask; none of them compares roles itself. Each answer carries
 * the reason a refusal is shown with.
 */
export type Decision = { allowed: true } | { allowed: false; reason: string };

const yes: Decision = { allowed: true };
const no = (reason: string): Decision => ({ allowed: false, reason });

/** What SHELF_WORKER_TOKEN is told wherever it is refused. */
export const workerTokenRefusal = 'the worker token may only download bundles';

/**
 * The routes SHELF_WORKER_TOKEN may use, as `METHOD path` the router declares them. A worker
 * runs scripts it did not write, so its token opens what a worker fetches and nothing else.
 */
export const workerTokenRoutes: ReadonlySet<string> = new Set(['GET /api/bundles/:digest']);

/**
 * Whether a principal may use a route (or the WebSocket, `GET /ws/jobs`) at all, asked before its
 * role. Deny by default: a route added later refuses the worker token until it is listed above.
 */
export function canUseRoute(p: Principal, route: string): Decision {
  if (p.scope !== 'worker') return yes;
  return workerTokenRoutes.has(route) ? yes : no(workerTokenRefusal);
}

/** The role a route needs before any resource is looked at. */
export function hasRole(p: Principal, min: Role): Decision {
  return roleAtLeast(p.role, min) ? yes : no(`this needs the ${min} role; ${p.username} is ${article(p.role)} ${p.role}`);
}

/** Whether a principal such as `group:dba` names this user. */
export function matchesPrincipal(p: Principal, principal: string): boolean {
  const colon = principal.indexOf(':');
  const kind = principal.slice(0, colon);
  const name = principal.slice(colon + 1);
  if (kind === 'role') return isRole(name) && roleAtLeast(p.role, name);
  if (kind === 'group') return p.groups.includes(name);
  if (kind === 'user') return p.username.toLowerCase() === name.toLowerCase();
  return false;
}

/** Running an item: the runner role, and a match in the item's `access.run` (admins run everything). */
export function canRunItem(p: Principal, manifest: Pick<Manifest, 'id' | 'access'>): Decision {
  const role = hasRole(p, 'runner');
  if (!role.allowed) return role;
  if (p.role === 'admin') return yes;
  const allowed = manifest.access?.run ?? defaultRunAccess;
  return allowed.some((principal) => matchesPrincipal(p, principal))
    ? yes
    : no(`only ${allowed.join(', ')} may run ${manifest.id}`);
}

/** What the job decisions look at: who submitted it and, for a job that needs approval, who may approve it. */
export interface JobParties {
  submittedBy: Actor | null;
  approval?: { approvers: string[] };
}

/** The principal index names that name this user (principalIndexName): where their approvals inbox looks. */
export function principalsOf(p: Principal): string[] {
  const ownRoles = roles.filter((r) => roleAtLeast(p.role, r)).map((r) => `role:${r}`);
  return [...ownRoles, ...p.groups.map((g) => `group:${g}`), principalIndexName(`user:${p.username}`)];
}

/**
 * Seeing a job (its detail, logs and live events): its submitter, admins, and — for a job that
 * needs approval — the approvers its frozen policy names, in every state: they are shown what
 * they are asked to approve, and afterwards what became of it (their inbox follows it live).
 */
export function canSeeJob(p: Principal, job: JobParties): Decision {
  if (p.role === 'admin' || job.submittedBy?.id === p.id || isNamedApprover(p, job)) return yes;
  return no('this job was submitted by someone else');
}

/** Retrying or cancelling a job: a runner who submitted it, or an admin. Approvers decide; they do not act on it. */
export function canActOnJob(p: Principal, job: JobParties): Decision {
  const role = hasRole(p, 'runner');
  if (!role.allowed) return role;
  if (p.role === 'admin' || job.submittedBy?.id === p.id) return yes;
  return no('this job was submitted by someone else');
}

/**
 * Approving or rejecting a job that needs approval: a runner (a viewer, or a read-only token, is
 * read-only) whom the frozen approvers list names — admins too only when it names them — and
 * never the job's own submitter.
 */
export function canDecideJob(p: Principal, job: JobParties & { approval: { approvers: string[] } }): Decision {
  const role = hasRole(p, 'runner');
  if (!role.allowed) return role;
  if (job.submittedBy?.id === p.id) return no('you submitted this job: someone else must approve or reject it');
  if (isNamedApprover(p, job)) return yes;
  return no(`only ${job.approval.approvers.join(', ')} may approve or reject this job`);
}

function isNamedApprover(p: Principal, job: JobParties): boolean {
  return job.approval !== undefined && roleAtLeast(p.role, 'runner') && job.approval.approvers.some((principal) => matchesPrincipal(p, principal));
}

/** Who owns an item id: set by its first publish (SPEC §7, item ownership). */
export interface ItemOwners {
  /** Users who may publish further versions (the first publisher). */
  users: Actor[];
  /** The manifest's `owner` at the first publish: members of this group publish too. */
  group: string | null;
  /** For an id first published from Git: the only repository that may publish it. */
  repository: string | null;
}

/** Where a publish comes from: a user (local, upload, Git sync) or a signed webhook of `repository`. */
export interface Publisher {
  principal: Principal | null;
  repository?: string;
}

/** Publishing a version of an item id, given who owns it (null: nobody yet, the id is free). */
export function canPublishItem(publisher: Publisher, itemId: string, owners: ItemOwners | null): Decision {
  const p = publisher.principal;
  if (p) {
    const role = hasRole(p, 'publisher');
    if (!role.allowed) return role;
  }
  if (!owners) return yes;
  if (owners.repository && publisher.repository !== owners.repository) {
    return no(`${itemId} is published from ${owners.repository}; other sources may not publish it`);
  }
  if (!p) return owners.repository ? yes : no(`${itemId} was first published from outside Git; a webhook publishes only new ids and ids bound to its repository`);
  if (p.role === 'admin') return yes;
  const isOwner = owners.users.some((u) => u.id === p.id) || (owners.group !== null && p.groups.includes(owners.group));
  if (isOwner) return yes;
  const who = [...owners.users.map((u) => u.username), ...(owners.group ? [`group ${owners.group}`] : [])].join(', ');
  return no(`${itemId} belongs to ${who || 'its first publisher'}; only its owners and admins publish new versions`);
}

/** What the operator lets items ask for (SHELF_ALLOWED_IMAGES, SHELF_EGRESS_PUBLISHERS). */
export interface RuntimeRules {
  /** Glob patterns of the images items may name. */
  allowedImages: string[];
  /** Principals (`user:`, `group:`, `role:`) and repositories (`repo:<url>`) whose items may have network egress. */
  egressPublishers: string[];
}

/**
 * Whether a publisher may have an item run `manifest.runtime.image` and with the network it asks
 * for. Egress reaches the outside world from the operator's network, so it is the operator's
 * to give: an admin publishes it, a publisher or repository the operator named does, or an
 * admin granted it to the item id.
 */
export function canUseRuntime(publisher: Publisher, manifest: Pick<Manifest, 'id' | 'runtime' | 'network'>, rules: RuntimeRules, egressGranted: boolean): Decision {
  const image = canUseImage(manifest.runtime.image, rules.allowedImages);
  if (!image.allowed) return image;
  if (manifest.network !== 'egress' || egressGranted) return yes;
  const p = publisher.principal;
  if (p?.role === 'admin') return yes;
  const named = rules.egressPublishers.some((entry) =>
    entry.startsWith('repo:') ? publisher.repository === entry.slice('repo:'.length) : p !== null && matchesPrincipal(p, entry),
  );
  return named
    ? yes
    : no(`${manifest.id} asks for network: egress, which needs an admin's grant for the item or a publisher named in SHELF_EGRESS_PUBLISHERS`);
}

/**
 * Whether an item may run on `image`: asked at import and again at every run, since the operator
 * may have narrowed SHELF_ALLOWED_IMAGES after a version was published.
 */
export function canUseImage(image: string, allowedImages: string[]): Decision {
  return allowedImages.some((pattern) => picomatch.isMatch(image, pattern, { dot: true }))
    ? yes
    : no(`the image ${image} is not allowed on this Shelf (SHELF_ALLOWED_IMAGES: ${allowedImages.join(', ')})`);
}

/** An API token's role is at most its creator's. */
export function canCreateToken(p: Principal, role: Role): Decision {
  return roleAtLeast(p.role, role) ? yes : no(`a token's role is at most its creator's; ${p.username} is ${article(p.role)} ${p.role}`);
}

/** Revoking a token: its owner, or an admin. */
export function canRevokeToken(p: Principal, owner: Actor): Decision {
  return p.role === 'admin' || owner.id === p.id ? yes : no('this token belongs to someone else');
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
