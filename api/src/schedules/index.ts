import type { Redis } from 'ioredis';
import { z } from 'zod';
import { JobState, SECRET_MASK, setValueAt, splitSecretInputs, valueAt, type Actor, type RedisKeys, type Schedule, type ScheduleRun } from '@shelf/contract';
import type { SecretBox, SecretInputs } from '@shelf/records';
import type { AuditLog } from '../auth/auditLog.js';
import { adminTokenActor, type Principal } from '../auth/principal.js';
import type { UserStore } from '../auth/userStore.js';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { JobServices } from '../jobs/index.js';
import type { Logger } from '../logger.js';
import { ScheduleStore, type StoredSchedule } from './scheduleStore.js';
import { ScheduleTicks } from './scheduleTicks.js';
import { timetable } from './timetable.js';

/** `POST /api/schedules` (SPEC §9). */
export const NewScheduleRequest = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    itemId: z.string().min(1).max(128),
    version: z.string().min(1).max(128).default('latest'),
    inputs: z.record(z.string(), z.unknown()).default({}),
    cron: z.string().min(1).max(200),
    timezone: z.string().min(1).max(100).default('UTC'),
    enabled: z.boolean().default(true),
  })
  .strict();
export type NewScheduleRequest = z.infer<typeof NewScheduleRequest>;

/** `PATCH /api/schedules/:id`: a secret input sent back as SECRET_MASK keeps its stored value. */
export const ScheduleChangeRequest = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    version: z.string().min(1).max(128).optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
    cron: z.string().min(1).max(200).optional(),
    timezone: z.string().min(1).max(100).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type ScheduleChangeRequest = z.infer<typeof ScheduleChangeRequest>;

export interface ScheduleServiceOptions {
  keys: RedisKeys;
  logger: Logger;
  box: SecretBox;
  /** SHELF_MIN_SCHEDULE_SECONDS. */
  minIntervalSeconds: number;
  jobs: Pick<JobServices, 'enqueue' | 'check' | 'records'>;
  users: Pick<UserStore, 'get'>;
  /** Whether SHELF_ADMIN_TOKEN is set: the schedules it owns run only while it is. */
  adminTokenEnabled: boolean;
  audit?: Pick<AuditLog, 'record'>;
}

/** While the previous run of a schedule is in one of these, the next tick is skipped. */
const activeStates: readonly JobState[] = [JobState.QUEUED, JobState.RUNNING, JobState.AWAITING_APPROVAL];

/**
 * Schedules (SPEC §9): items run on a cron timetable as their owner, whose permissions are
 * checked at every run. The timetable is BullMQ's (one job scheduler per schedule); the ticks are
 * consumed by the API processes. Overlap is skipped and recorded; inputs that a new version
 * refuses fail the run with the reason recorded; an owner who may no longer run the item stops
 * the schedule, saying why.
 */
export async function createScheduleServices(redis: Redis, opts: ScheduleServiceOptions) {
  const store = new ScheduleStore(redis, opts.keys, opts.box);
  const ticks = new ScheduleTicks(redis, opts.keys, opts.logger);
  const { jobs } = opts;

  const checkTimetable = (cron: string, timezone: string) => {
    const t = timetable(cron, timezone, opts.minIntervalSeconds);
    if (!t.ok) throw new ValidationError('the schedule\'s timetable cannot be used', t.problems);
    return t;
  };

  const view = async (s: StoredSchedule): Promise<Schedule> => {
    const t = timetable(s.cron, s.timezone, 0);
    const [last] = await store.runs(s.id, 1);
    const job = last?.jobId ? await jobs.records.summary(last.jobId) : undefined;
    return {
      ...s,
      nextRuns: s.enabled && t.ok ? t.nextRuns(5) : [],
      lastRun: last ? { ...last, ...(job ? { state: job.state } : {}) } : null,
    };
  };

  /** The schedule, if `by` may see and change it (its owner, or an admin); 404 otherwise, so ids do not leak. */
  const mine = async (id: string, by: Principal): Promise<StoredSchedule> => {
    const s = await store.get(id);
    if (!s || (by.role !== 'admin' && s.owner.id !== by.id)) throw new NotFoundError('schedule', id);
    return s;
  };

  /** The owner as a principal with their role and groups as they are now; why not, when they cannot run anything any more. */
  const ownerPrincipal = async (owner: Actor): Promise<{ principal: Principal } | { reason: string }> => {
    if (owner.id === adminTokenActor.id) {
      return opts.adminTokenEnabled ? { principal: { ...adminTokenActor, role: 'admin', groups: [], via: 'token' } } : { reason: 'its owner, SHELF_ADMIN_TOKEN, is no longer set' };
    }
    const user = await opts.users.get(owner.id);
    if (!user) return { reason: `its owner ${owner.username} was removed` };
    if (user.disabled) return { reason: `its owner ${owner.username} is disabled` };
    return { principal: { id: user.id, username: user.username, role: user.role, groups: user.groups ?? [], via: 'token' } };
  };

  /** The full inputs: the stored ones with the sealed secrets put back. */
  const fullInputs = async (s: StoredSchedule): Promise<Record<string, unknown>> => {
    const secrets = await store.secrets(s.id);
    const inputs = structuredClone(s.inputs);
    for (const [pointer, value] of Object.entries(secrets)) setValueAt(inputs, pointer, value);
    return inputs;
  };

  /**
   * Checks inputs as a run of `by` would be checked, and splits what to store: the inputs as given
   * (secrets masked; defaults stay out, so a new `latest` brings its own) and the secrets.
   */
  const checkInputs = async (itemId: string, version: string, inputs: Record<string, unknown>, by: Principal) => {
    const checked = await jobs.check({ itemId, version, inputs }, by);
    const pointers = Object.keys(checked.secrets).filter((p) => valueAt(inputs, p) !== undefined);
    const { shown, secrets } = splitSecretInputs(inputs, pointers);
    return { itemId: checked.version.id, shown, secrets: secrets as SecretInputs };
  };

  const stop = async (s: StoredSchedule, reason: string): Promise<void> => {
    // As it is now: an edit made while this run was checking is kept.
    const current = await store.get(s.id);
    if (!current) return;
    await store.put({ ...current, enabled: false, stoppedReason: reason, updatedAt: new Date().toISOString() });
    await ticks.clear(s.id);
    opts.logger.warn({ schedule: s.id, reason }, 'schedule stopped');
    await opts.audit?.record({ actor: 'system', action: 'schedule.stop', target: `schedule ${s.id} ${s.name}`, outcome: 'ok', ip: '', detail: reason }).catch(() => undefined);
  };

  /** One run of a schedule: a tick of its timetable, or "run now". */
  const run = async (id: string, manual: boolean): Promise<ScheduleRun | undefined> => {
    const s = await store.get(id);
    if (!s) {
      await ticks.clear(id);
      return undefined;
    }
    if (!s.enabled && !manual) {
      await ticks.clear(id);
      return undefined;
    }
    const at = new Date().toISOString();
    const record = async (r: Omit<ScheduleRun, 'at' | 'manual'>) => {
      const entry: ScheduleRun = { at, ...r, ...(manual ? { manual } : {}) };
      await store.recordRun(id, entry);
      return entry;
    };
    const unlock = await store.lock(id);
    if (!unlock) return record({ outcome: 'skipped', reason: 'another run of this schedule was starting at the same moment' });
    try {
      return await runLocked(s, record);
    } finally {
      await unlock();
    }
  };

  const runLocked = async (s: StoredSchedule, record: (r: Omit<ScheduleRun, 'at' | 'manual'>) => Promise<ScheduleRun>): Promise<ScheduleRun> => {
    const { id } = s;
    const owner = await ownerPrincipal(s.owner);
    if ('reason' in owner) {
      await stop(s, owner.reason);
      return record({ outcome: 'failed', reason: `not run: ${owner.reason}; the schedule is stopped` });
    }
    const lastJob = await store.lastJob(id);
    const previous = lastJob ? await jobs.records.summary(lastJob) : undefined;
    if (previous && activeStates.includes(previous.state)) {
      return record({ outcome: 'skipped', reason: `the previous run, job ${previous.id}, is still ${previous.state}` });
    }
    try {
      const launched = await jobs.enqueue({ itemId: s.itemId, version: s.version, inputs: await fullInputs(s) }, owner.principal, { scheduleId: id });
      return await record({ outcome: 'started', jobId: launched.id });
    } catch (err) {
      if (err instanceof ForbiddenError) {
        const reason = `its owner ${s.owner.username} may no longer run ${s.itemId}: ${err.message}`;
        await stop(s, reason);
        return record({ outcome: 'failed', reason: `not run: ${reason}; the schedule is stopped` });
      }
      if (err instanceof AppError) return record({ outcome: 'failed', reason: describe(err) });
      await record({ outcome: 'failed', reason: `could not start: ${(err as Error).message}` });
      throw err;
    }
  };

  return {
    list: async (by: Principal): Promise<Schedule[]> => {
      const all = (await store.all()).filter((s) => by.role === 'admin' || s.owner.id === by.id);
      all.sort((a, b) => a.name.localeCompare(b.name) || a.createdAt.localeCompare(b.createdAt));
      return Promise.all(all.map(view));
    },
    get: async (id: string, by: Principal): Promise<Schedule> => view(await mine(id, by)),
    runs: async (id: string, by: Principal): Promise<ScheduleRun[]> => store.runs((await mine(id, by)).id),
    create: async (request: NewScheduleRequest, by: Principal): Promise<Schedule> => {
      checkTimetable(request.cron, request.timezone);
      const { itemId, shown, secrets } = await checkInputs(request.itemId, request.version, request.inputs, by);
      const now = new Date().toISOString();
      const s: StoredSchedule = {
        id: store.newId(),
        name: request.name ?? `${itemId} at ${request.cron.trim()}`,
        itemId,
        version: request.version,
        inputs: shown,
        cron: request.cron.trim(),
        timezone: request.timezone,
        enabled: request.enabled,
        stoppedReason: null,
        owner: { id: by.id, username: by.username },
        createdAt: now,
        updatedAt: now,
      };
      await store.put(s, secrets);
      if (s.enabled) await ticks.set(s.id, s.cron, s.timezone);
      return view(s);
    },
    update: async (id: string, change: ScheduleChangeRequest, by: Principal): Promise<Schedule> => {
      const current = await mine(id, by);
      const next: StoredSchedule = { ...current, updatedAt: new Date().toISOString() };
      if (change.name !== undefined) next.name = change.name;
      if (change.cron !== undefined) next.cron = change.cron.trim();
      if (change.timezone !== undefined) next.timezone = change.timezone;
      if (change.cron !== undefined || change.timezone !== undefined) checkTimetable(next.cron, next.timezone);
      let secrets: SecretInputs | undefined;
      if (change.inputs !== undefined || change.version !== undefined) {
        next.version = change.version ?? current.version;
        const stored = await store.secrets(id);
        const given = change.inputs ?? (await fullInputs(current));
        // A secret sent back masked means "keep it": the form never has the stored value to send.
        for (const [pointer, value] of Object.entries(stored)) if (valueAt(given, pointer) === SECRET_MASK) setValueAt(given, pointer, value);
        const owner = by.id === current.owner.id ? { principal: by } : await ownerPrincipal(current.owner);
        if ('reason' in owner) throw new ConflictError(`the schedule cannot be checked as its owner: ${owner.reason}`);
        const checked = await checkInputs(current.itemId, next.version, given, owner.principal);
        next.inputs = checked.shown;
        secrets = checked.secrets;
      }
      if (change.enabled !== undefined) {
        next.enabled = change.enabled;
        if (change.enabled) next.stoppedReason = null;
      }
      await store.put(next, secrets);
      if (next.enabled) await ticks.set(id, next.cron, next.timezone);
      else await ticks.clear(id);
      return view(next);
    },
    delete: async (id: string, by: Principal): Promise<void> => {
      await mine(id, by);
      await ticks.clear(id);
      await store.delete(id);
    },
    /** "Run now": one run outside the timetable, with the same checks (overlap included). */
    runNow: async (id: string, by: Principal): Promise<ScheduleRun> => {
      await mine(id, by);
      const result = (await run(id, true))!;
      if (result.outcome === 'skipped') throw new ConflictError(`not run: ${result.reason}`);
      if (result.outcome === 'failed') throw new ValidationError(`not run: ${result.reason}`);
      return result;
    },
    /** Consumes ticks in this process, after making every enabled schedule's timetable exist (and no other). */
    start: async (): Promise<() => Promise<void>> => {
      const all = await store.all();
      const enabled = new Set(all.filter((s) => s.enabled).map((s) => s.id));
      for (const s of all) if (s.enabled) await ticks.set(s.id, s.cron, s.timezone);
      for (const id of await ticks.ids()) if (!enabled.has(id)) await ticks.clear(id);
      return ticks.startConsumer(async (id) => void (await run(id, false)));
    },
    close: () => ticks.close(),
  };
}
export type ScheduleServices = Awaited<ReturnType<typeof createScheduleServices>>;

/** An API error as one line for a schedule's run record. */
function describe(err: AppError): string {
  const problems = (err.details as { problems?: { path: string; message: string }[] } | undefined)?.problems ?? [];
  const listed = problems.slice(0, 5).map((p) => `${p.path || '/'} ${p.message}`);
  return listed.length ? `${err.message}: ${listed.join('; ')}` : err.message;
}
