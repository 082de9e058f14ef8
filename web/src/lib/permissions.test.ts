import { roles, type Role } from '@shelf/contract';
import { describe, expect, test } from 'vitest';
import { assignableRoles, can, canActOnJob, canRunItem, type RoleAction } from './permissions';

const user = (role: Role) => ({ id: `u-${role}`, role });
const allowed = (d: { allowed: boolean }) => d.allowed;

describe('permissions', () => {
  test.each<[Role, Record<RoleAction, boolean>]>([
    ['viewer', { run: false, publish: false, administer: false }],
    ['runner', { run: true, publish: false, administer: false }],
    ['publisher', { run: true, publish: true, administer: false }],
    ['admin', { run: true, publish: true, administer: true }],
  ])('a %s may %o', (role, expected) => {
    const actual = Object.fromEntries((Object.keys(expected) as RoleAction[]).map((a) => [a, allowed(can(user(role), a))]));
    expect(actual).toEqual(expected);
  });

  test('a refusal says what is needed and what the user is', () => {
    expect(can(user('viewer'), 'run')).toEqual({ allowed: false, reason: 'Running items and jobs needs the runner role; you are a viewer.' });
    expect(can(user('runner'), 'administer')).toMatchObject({ reason: expect.stringContaining('you are a runner') });
    expect(can(undefined, 'run')).toEqual({ allowed: false, reason: 'Sign in first.' });
  });

  test.each<[string, Role, { allowed: boolean; reason?: string } | undefined, boolean | string]>([
    ['a runner, no access list reported', 'runner', undefined, true],
    ['a runner the item allows', 'runner', { allowed: true }, true],
    ['a runner the item refuses', 'runner', { allowed: false, reason: 'only group:dba may run db-restore' }, 'Only group:dba may run db-restore.'],
    ['a refusal without a reason', 'publisher', { allowed: false }, 'You may not run this item.'],
    ['a viewer, even if the item would allow', 'viewer', { allowed: true }, 'Running items and jobs needs the runner role; you are a viewer.'],
  ])('running an item: %s', (_case, role, canRun, expected) => {
    const decision = canRunItem(user(role), canRun);
    expect(decision.allowed ? true : decision.reason).toBe(expected);
  });

  test.each<[string, Role, string | null, boolean]>([
    ['own job, runner', 'runner', 'u-runner', true],
    ["someone else's job, runner", 'runner', 'u-other', false],
    ["someone else's job, publisher", 'publisher', 'u-other', false],
    ["someone else's job, admin", 'admin', 'u-other', true],
    ['a job nobody is recorded for, admin', 'admin', null, true],
    ['a job nobody is recorded for, runner', 'runner', null, false],
    ['own job, viewer', 'viewer', 'u-viewer', false],
  ])('retrying or cancelling %s', (_case, role, submitter, expected) => {
    const job = { submittedBy: submitter ? { id: submitter, username: submitter } : null };
    expect(canActOnJob(user(role), job).allowed).toBe(expected);
  });

  test("a job's refusal names who may act", () => {
    expect(canActOnJob(user('runner'), { submittedBy: { id: 'u-bob', username: 'bob' } })).toEqual({
      allowed: false,
      reason: 'Only the person who submitted this job, or an admin, may retry or cancel it.',
    });
  });

  test('a token gets at most its creator’s role', () => {
    expect(roles.map((r) => assignableRoles(r))).toEqual([
      ['viewer'],
      ['viewer', 'runner'],
      ['viewer', 'runner', 'publisher'],
      ['viewer', 'runner', 'publisher', 'admin'],
    ]);
  });
});
