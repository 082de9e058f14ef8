import { roleAtLeast, roles, type Actor, type Me, type Role } from '@shelf/contract';
import { sentence } from './format';

/**
 * What the UI offers to whom (SPEC §7). The server decides every request; these answers only
 * hide or disable what would be refused, and say why, so nobody clicks into a 403.
 */
export type Decision = { allowed: true } | { allowed: false; reason: string };

/** Things a role alone decides. */
export type RoleAction = 'run' | 'publish' | 'administer';

const needs: Record<RoleAction, { role: Role; what: string }> = {
  run: { role: 'runner', what: 'Running items and jobs' },
  publish: { role: 'publisher', what: 'Importing and publishing items' },
  administer: { role: 'admin', what: 'Managing users and reading the audit log' },
};

const yes: Decision = { allowed: true };
const no = (reason: string): Decision => ({ allowed: false, reason });

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

type Who = Pick<Me, 'id' | 'role'> | undefined;

/** Whether the signed-in user's role allows `action`. */
export function can(me: Who, action: RoleAction): Decision {
  if (!me) return no('Sign in first.');
  const { role, what } = needs[action];
  return roleAtLeast(me.role, role) ? yes : no(`${what} needs the ${role} role; you are ${article(me.role)} ${me.role}.`);
}

/** Running one item: the runner role, and the item's own `access.run` as the server reported it (`canRun`). */
export function canRunItem(me: Who, canRun: { allowed: boolean; reason?: string } | undefined): Decision {
  const role = can(me, 'run');
  if (!role.allowed || !canRun || canRun.allowed) return role;
  return no(canRun.reason?.trim() ? sentence(canRun.reason) : 'You may not run this item.');
}

/** Retrying or cancelling a job: a runner who submitted it, or an admin. */
export function canActOnJob(me: Who, job: { submittedBy?: Actor | null }): Decision {
  const role = can(me, 'run');
  if (!role.allowed) return role;
  if (me!.role === 'admin' || job.submittedBy?.id === me!.id) return yes;
  return no('Only the person who submitted this job, or an admin, may retry or cancel it.');
}

/** The roles a user may give an API token: their own and the ones below it. */
export function assignableRoles(role: Role): Role[] {
  return roles.filter((r) => roleAtLeast(role, r));
}
