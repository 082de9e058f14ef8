import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys, Schedule, ScheduleRun } from '@shelf/contract';
import type { SecretBox, SecretInputs } from '@shelf/records';

/** A schedule as stored: the API's answer minus what is computed (next runs, last run's state); secret inputs masked, their values sealed apart. */
export type StoredSchedule = Omit<Schedule, 'nextRuns' | 'lastRun'>;

/** How many ticks each schedule remembers. */
export const runsKept = 50;

const contextOf = (id: string) => `schedule:${id}`;

/** Schedules in Redis: one hash of records, each schedule's recent runs, its sealed secret inputs. */
export class ScheduleStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly box: SecretBox,
  ) {}

  newId(): string {
    return randomBytes(12).toString('hex');
  }

  async all(): Promise<StoredSchedule[]> {
    return (await this.redis.hvals(this.keys.schedules)).map((raw) => JSON.parse(raw) as StoredSchedule);
  }

  async get(id: string): Promise<StoredSchedule | undefined> {
    const raw = await this.redis.hget(this.keys.schedules, id);
    return raw ? (JSON.parse(raw) as StoredSchedule) : undefined;
  }

  /** Writes the record and, when given, replaces its sealed secret inputs (`{}` removes them). */
  async put(schedule: StoredSchedule, secrets?: SecretInputs): Promise<void> {
    const tx = this.redis.multi().hset(this.keys.schedules, schedule.id, JSON.stringify(schedule));
    if (secrets !== undefined) {
      if (Object.keys(secrets).length) tx.set(this.keys.scheduleSecrets(schedule.id), this.box.seal(JSON.stringify(secrets), contextOf(schedule.id)));
      else tx.del(this.keys.scheduleSecrets(schedule.id));
    }
    await tx.exec();
  }

  async secrets(id: string): Promise<SecretInputs> {
    const sealed = await this.redis.get(this.keys.scheduleSecrets(id));
    return sealed ? (JSON.parse(this.box.open(sealed, contextOf(id))) as SecretInputs) : {};
  }

  async delete(id: string): Promise<boolean> {
    const [[, removed]] = (await this.redis.multi().hdel(this.keys.schedules, id).del(...this.runKeys(id), this.keys.scheduleSecrets(id)).exec()) as [[unknown, number]];
    return removed === 1;
  }

  /** Records a run (and the job it started, for the overlap rule); a schedule deleted meanwhile keeps no trace of it. */
  async recordRun(id: string, run: ScheduleRun): Promise<void> {
    const tx = this.redis.multi().lpush(this.keys.scheduleRuns(id), JSON.stringify(run)).ltrim(this.keys.scheduleRuns(id), 0, runsKept - 1);
    if (run.outcome === 'started' && run.jobId) tx.set(this.keys.scheduleLastJob(id), run.jobId);
    await tx.exec();
    if (!(await this.redis.hexists(this.keys.schedules, id))) await this.redis.del(...this.runKeys(id));
  }

  /** The newest job the schedule started, however many runs were skipped or failed since. */
  async lastJob(id: string): Promise<string | null> {
    return this.redis.get(this.keys.scheduleLastJob(id));
  }

  private runKeys(id: string): string[] {
    return [this.keys.scheduleRuns(id), this.keys.scheduleLastJob(id)];
  }

  async runs(id: string, count = runsKept): Promise<ScheduleRun[]> {
    return (await this.redis.lrange(this.keys.scheduleRuns(id), 0, count - 1)).map((raw) => JSON.parse(raw) as ScheduleRun);
  }

  /**
   * Holds the schedule's run lock: two runs of one schedule (a tick and "run now", or ticks
   * processed late together) never both pass the overlap check. Undefined when another holds it.
   */
  async lock(id: string, ttlMs = 30_000): Promise<(() => Promise<void>) | undefined> {
    const key = this.keys.scheduleLock(id);
    const token = randomBytes(8).toString('hex');
    if ((await this.redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
    return async () => {
      await this.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, key, token);
    };
  }
}
