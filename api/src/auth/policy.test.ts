import { describe, expect, it } from 'vitest';
import type { Actor, Role } from '@shelf/contract';
import { canActOnJob, canCreateToken, canDecideJob, canPublishItem, canRevokeToken, canRunItem, canSeeJob, canUseRoute, canUseRuntime, hasRole, matchesPrincipal, principalsOf, type Decision, type ItemOwners, type JobParties, type RuntimeRules } from './policy.js';
import type { Principal } from './principal.js';

// Every permission decision, one table per policy function. A refusal's reason is what the
// user reads (an error message, the disabled Run button), so the tables pin it word for word.

const who = (username: string, role: Role, groups: string[] = []): Principal => ({ id: `id-${username}`, username, role, groups, via: 'session' });
const actor = (p: Principal): Actor => ({ id: p.id, username: p.username });

const vera = who('vera', 'viewer');
const rita = who('rita', 'runner');
const dina = who('dina', 'runner', ['dba']);
const carol = who('Carol', 'runner');
const pia = who('pia', 'publisher');
const paul = who('paul', 'publisher', ['platform']);
const ada = who('ada', 'admin');

const people: Record<string, Principal> = { vera, rita, pia, ada };

const yes: Decision = { allowed: true };
const no = (reason: string): Decision => ({ allowed: false, reason });

describe('canUseRoute: the worker token reaches the bundle download alone', () => {
  const worker: Principal = { id: 'worker-token', username: 'worker-token', role: 'viewer', groups: [], via: 'token', scope: 'worker' };
  const refused = no('the worker token may only download bundles');
  it.each<[string, Principal, string, Decision]>([
    ['the worker token downloads a bundle', worker, 'GET /api/bundles/:digest', yes],
    ['not with another method', worker, 'HEAD /api/bundles/:digest', refused],
    ['nor the catalog', worker, 'GET /api/catalog', refused],
    ['nor who it is', worker, 'GET /api/me', refused],
    ['nor the live socket', worker, 'GET /ws/jobs', refused],
    ['nor a route nobody listed (deny by default)', worker, 'GET /api/some-future-route', refused],
    ['a principal without a scope is left to its role', vera, 'GET /api/catalog', yes],
    ['an admin too', ada, 'GET /api/secrets', yes],
  ])('%s (%s)', (_, p, route, expected) => {
    expect(canUseRoute(p, route)).toEqual(expected);
  });
});

describe('hasRole: each role includes the ones before it', () => {
  it.each<[string, Role, Decision]>([
    ['vera', 'viewer', yes],
    ['vera', 'runner', no('this needs the runner role; vera is a viewer')],
    ['vera', 'admin', no('this needs the admin role; vera is a viewer')],
    ['rita', 'runner', yes],
    ['rita', 'publisher', no('this needs the publisher role; rita is a runner')],
    ['pia', 'runner', yes],
    ['pia', 'admin', no('this needs the admin role; pia is a publisher')],
    ['ada', 'viewer', yes],
    ['ada', 'admin', yes],
  ])('%s, the route needs %s', (name, min, expected) => {
    expect(hasRole(people[name]!, min)).toEqual(expected);
  });
});

describe('matchesPrincipal', () => {
  it.each<[string, Principal, string, boolean]>([
    ['a role includes the roles below it', pia, 'role:runner', true],
    ['a role is not met by a lower one', vera, 'role:runner', false],
    ['admin meets every role', ada, 'role:publisher', true],
    ['a group matches its members', dina, 'group:dba', true],
    ['a group matches by its exact name', dina, 'group:db', false],
    ['a group does not match non-members', rita, 'group:dba', false],
    ['a user matches by username', rita, 'user:rita', true],
    ['a user matches whatever the case (usernames are unique in any case)', carol, 'user:carol', true],
    ['a user does not match another one', rita, 'user:ritaa', false],
    ['a user: principal is not a group', dina, 'user:dba', false],
    ['a group: principal is not a user', rita, 'group:rita', false],
    ['an unknown role matches nobody', ada, 'role:superuser', false],
    ['an unknown kind matches nobody', rita, 'team:rita', false],
    ['a word without a kind matches nobody', rita, 'everyone', false],
  ])('%s (%s, %s)', (_, p, principal, expected) => {
    expect(matchesPrincipal(p, principal)).toBe(expected);
  });
});

describe("canRunItem: the runner role, then the item's access.run", () => {
  const item = (run?: string[]) => ({ id: 'deploy', access: run ? { run } : undefined });
  it.each<[string, Principal, string[] | undefined, Decision]>([
    ['a runner runs an item without access.run (default role:runner)', rita, undefined, yes],
    ['a viewer never runs, whatever the default', vera, undefined, no('this needs the runner role; vera is a viewer')],
    ['a viewer never runs, even when named', vera, ['user:vera'], no('this needs the runner role; vera is a viewer')],
    ['role: refuses a lower role', rita, ['role:publisher'], no('only role:publisher may run deploy')],
    ['role: admits a higher role', pia, ['role:runner'], yes],
    ['group: admits a member', dina, ['group:dba'], yes],
    ['group: refuses others, naming who may', rita, ['group:dba'], no('only group:dba may run deploy')],
    ['user: admits that user', carol, ['user:carol', 'group:dba'], yes],
    ['user: refuses others, naming every principal', rita, ['user:carol', 'group:dba'], no('only user:carol, group:dba may run deploy')],
    ['any matching principal is enough', dina, ['user:carol', 'group:dba'], yes],
    ['a publisher is not a named user', pia, ['user:carol'], no('only user:carol may run deploy')],
    ['an admin runs everything', ada, ['user:carol'], yes],
  ])('%s', (_, p, run, expected) => {
    expect(canRunItem(p, item(run))).toEqual(expected);
  });
});

describe('canSeeJob and canActOnJob: a job is its submitter’s (and admins’)', () => {
  const ritasJob = { submittedBy: actor(rita) };
  const verasJob = { submittedBy: actor(vera) };
  const legacyJob = { submittedBy: null };
  const someoneElse = no('this job was submitted by someone else');
  it.each<[string, Principal, { submittedBy: Actor | null }, Decision, Decision]>([
    ['the submitter', rita, ritasJob, yes, yes],
    ['another runner', dina, ritasJob, someoneElse, someoneElse],
    ['a viewer, own job (sees it, may not act)', vera, verasJob, yes, no('this needs the runner role; vera is a viewer')],
    ['a viewer, another’s job (the role is checked first)', vera, ritasJob, someoneElse, no('this needs the runner role; vera is a viewer')],
    ['a publisher, another’s job', pia, ritasJob, someoneElse, someoneElse],
    ['an admin', ada, ritasJob, yes, yes],
    ['a runner, a job without a submitter', rita, legacyJob, someoneElse, someoneElse],
    ['an admin, a job without a submitter', ada, legacyJob, yes, yes],
  ])('%s', (_, p, job, see, act) => {
    expect(canSeeJob(p, job)).toEqual(see);
    expect(canActOnJob(p, job)).toEqual(act);
  });
});

describe('jobs that need approval: approvers see them and decide; only the submitter and admins act on them', () => {
  const dave = who('dave', 'viewer', ['dba']);
  const ritasRequest = (approvers: string[]): JobParties & { approval: { approvers: string[] } } => ({ submittedBy: actor(rita), approval: { approvers } });
  const dba = ritasRequest(['group:dba', 'user:Carol']);
  const admins = ritasRequest(['role:admin']);
  const onlyRita = ritasRequest(['user:rita', 'group:dba']);
  const someoneElse = no('this job was submitted by someone else');
  const notNamed = (list: string) => no(`only ${list} may approve or reject this job`);
  it.each<[string, Principal, JobParties & { approval: { approvers: string[] } }, Decision, Decision, Decision]>([
    // who, the job, canSeeJob, canActOnJob, canDecideJob
    ['a member of the approver group', dina, dba, yes, someoneElse, yes],
    ['a user the list names (any case)', carol, dba, yes, someoneElse, yes],
    ['a runner the list does not name', who('nils', 'runner', ['ops']), dba, someoneElse, someoneElse, notNamed('group:dba, user:Carol')],
    ['a viewer in the approver group: read-only, so neither sees nor decides', dave, dba, someoneElse, no('this needs the runner role; dave is a viewer'), no('this needs the runner role; dave is a viewer')],
    ['the submitter, even when the list names them', rita, onlyRita, yes, yes, no('you submitted this job: someone else must approve or reject it')],
    ['an admin the list does not name: sees and acts, does not decide', ada, dba, yes, yes, notNamed('group:dba, user:Carol')],
    ['an admin when role:admin is listed', ada, admins, yes, yes, yes],
    ['a publisher, role:admin listed', pia, admins, someoneElse, someoneElse, notNamed('role:admin')],
  ])('%s', (_, p, job, see, act, decide) => {
    expect(canSeeJob(p, job)).toEqual(see);
    expect(canActOnJob(p, job)).toEqual(act);
    expect(canDecideJob(p, job)).toEqual(decide);
  });

  it('an admin who submitted the job never approves it', () => {
    expect(canDecideJob(ada, { submittedBy: actor(ada), approval: { approvers: ['role:admin'] } })).toEqual(no('you submitted this job: someone else must approve or reject it'));
  });

  it.each<[string, Principal, string[]]>([
    ['a viewer', vera, ['role:viewer', 'user:vera']],
    ['a runner in a group', dina, ['role:viewer', 'role:runner', 'group:dba', 'user:dina']],
    ['a mixed-case username, lowercased like the index', carol, ['role:viewer', 'role:runner', 'user:carol']],
    ['an admin', ada, ['role:viewer', 'role:runner', 'role:publisher', 'role:admin', 'user:ada']],
  ])('principalsOf: %s', (_, p, expected) => {
    expect(principalsOf(p)).toEqual(expected);
  });
});

describe('canPublishItem: new ids are free; others belong to their first publisher', () => {
  const repo = 'https://git.example.com/team/tools.git';
  const byPia: ItemOwners = { users: [actor(pia)], group: null, repository: null };
  const byPiaAndPlatform: ItemOwners = { users: [actor(pia)], group: 'platform', repository: null };
  const byNobodyKnown: ItemOwners = { users: [], group: null, repository: null };
  const fromRepo: ItemOwners = { users: [actor(pia)], group: null, repository: repo };
  const webhook = (repository: string) => ({ principal: null, repository });
  const notFromRepo = no(`tools is published from ${repo}; other sources may not publish it`);

  it.each<[string, { principal: Principal | null; repository?: string }, ItemOwners | null, Decision]>([
    ['a publisher, a new id', { principal: pia }, null, yes],
    ['a runner, a new id', { principal: rita }, null, no('this needs the publisher role; rita is a runner')],
    ['a runner, even an id they would own', { principal: rita }, { ...byPia, users: [actor(rita)] }, no('this needs the publisher role; rita is a runner')],
    ['the first publisher', { principal: pia }, byPia, yes],
    ['another publisher, named owner', { principal: paul }, byPia, no('tools belongs to pia; only its owners and admins publish new versions')],
    ['a member of the owner group', { principal: paul }, byPiaAndPlatform, yes],
    ['a publisher outside the owner group', { principal: who('pete', 'publisher', ['qa']) }, byPiaAndPlatform, no('tools belongs to pia, group platform; only its owners and admins publish new versions')],
    ['an id whose owners are unknown', { principal: paul }, byNobodyKnown, no('tools belongs to its first publisher; only its owners and admins publish new versions')],
    ['an admin, someone else’s id', { principal: ada }, byPiaAndPlatform, yes],
    ['the owner, by a sync of the bound repository', { principal: pia, repository: repo }, fromRepo, yes],
    ['the owner, by an upload of an id bound to a repository', { principal: pia }, fromRepo, notFromRepo],
    ['the owner, by a sync of another repository', { principal: pia, repository: 'https://git.example.com/fork.git' }, fromRepo, notFromRepo],
    ['an admin, by an upload of an id bound to a repository', { principal: ada }, fromRepo, notFromRepo],
    ['another publisher, by a sync of the bound repository', { principal: paul, repository: repo }, fromRepo, no('tools belongs to pia; only its owners and admins publish new versions')],
    ['a webhook, a new id', webhook(repo), null, yes],
    ['a webhook of the bound repository', webhook(repo), fromRepo, yes],
    ['a webhook of another repository', webhook('https://git.example.com/fork.git'), fromRepo, notFromRepo],
    ['a webhook, an id first published by a user, not from Git', webhook(repo), byPiaAndPlatform, no('tools was first published from outside Git; a webhook publishes only new ids and ids bound to its repository')],
  ])('%s', (_, publisher, owners, expected) => {
    expect(canPublishItem(publisher, 'tools', owners)).toEqual(expected);
  });
});

describe('canUseRuntime: the operator decides images and network egress', () => {
  const repo = 'https://git.example.com/net/probes.git';
  const rules: RuntimeRules = {
    allowedImages: ['shelf/runtime-shell:1', 'registry.local/team/*:*'],
    egressPublishers: ['group:netops', 'user:Pia', `repo:${repo}`],
  };
  const item = (image: string, network: 'none' | 'egress' = 'none') => ({ id: 'probe', runtime: { image, command: ['true'] }, network });
  const badImage = (image: string) => no(`the image ${image} is not allowed on this Shelf (SHELF_ALLOWED_IMAGES: shelf/runtime-shell:1, registry.local/team/*:*)`);
  const needsGrant = no("probe asks for network: egress, which needs an admin's grant for the item or a publisher named in SHELF_EGRESS_PUBLISHERS");

  it.each<[string, { principal: Principal | null; repository?: string }, ReturnType<typeof item>, boolean, Decision]>([
    ['an allowed image, no network', { principal: paul }, item('shelf/runtime-shell:1'), false, yes],
    ['an image a glob allows', { principal: paul }, item('registry.local/team/tool:2'), false, yes],
    ['another image the host has', { principal: ada }, item('shelf/base:bookworm'), false, badImage('shelf/base:bookworm')],
    ['a glob does not cross a slash', { principal: ada }, item('registry.local/team/sub/tool:2'), false, badImage('registry.local/team/sub/tool:2')],
    ['egress by a publisher nobody named', { principal: paul }, item('shelf/runtime-shell:1', 'egress'), false, needsGrant],
    ['egress by a named user (any case)', { principal: pia }, item('shelf/runtime-shell:1', 'egress'), false, yes],
    ['egress by a member of a named group', { principal: who('nina', 'publisher', ['netops']) }, item('shelf/runtime-shell:1', 'egress'), false, yes],
    ['egress by an admin', { principal: ada }, item('shelf/runtime-shell:1', 'egress'), false, yes],
    ['egress granted to the item by an admin', { principal: paul }, item('shelf/runtime-shell:1', 'egress'), true, yes],
    ['egress by a webhook of a named repository', { principal: null, repository: repo }, item('shelf/runtime-shell:1', 'egress'), false, yes],
    ['egress by a webhook of another repository', { principal: null, repository: 'https://git.example.com/fork.git' }, item('shelf/runtime-shell:1', 'egress'), false, needsGrant],
    ['a grant does not allow an image', { principal: paul }, item('shelf/base:bookworm', 'egress'), true, badImage('shelf/base:bookworm')],
  ])('%s', (_, publisher, manifest, granted, expected) => {
    expect(canUseRuntime(publisher, manifest, rules, granted)).toEqual(expected);
  });
});

describe('canCreateToken: a token’s role is at most its creator’s', () => {
  it.each<[string, Role, Decision]>([
    ['vera', 'viewer', yes],
    ['vera', 'runner', no("a token's role is at most its creator's; vera is a viewer")],
    ['rita', 'viewer', yes],
    ['rita', 'runner', yes],
    ['rita', 'admin', no("a token's role is at most its creator's; rita is a runner")],
    ['pia', 'admin', no("a token's role is at most its creator's; pia is a publisher")],
    ['ada', 'admin', yes],
  ])('%s asks for a token with the %s role', (name, role, expected) => {
    expect(canCreateToken(people[name]!, role)).toEqual(expected);
  });
});

describe('canRevokeToken: its owner, or an admin', () => {
  it.each<[string, Principal, Actor, Decision]>([
    ['the owner', vera, actor(vera), yes],
    ['another user', rita, actor(vera), no('this token belongs to someone else')],
    ['a publisher, another’s', pia, actor(rita), no('this token belongs to someone else')],
    ['an admin, another’s', ada, actor(rita), yes],
  ])('%s', (_, p, owner, expected) => {
    expect(canRevokeToken(p, owner)).toEqual(expected);
  });
});
