import type { Redis } from 'ioredis';
import { isWorkerFresh, WorkerHeartbeat, workerRecordTtlSeconds, type RedisKeys } from '@shelf/contract';

/** What an admin asks of a worker. */
export type WorkerRequest = 'drain' | 'resume';

/**
 * The worker registry in Redis, its one owner: each worker's heartbeat (written at every beat,
 * deleted when the worker stops cleanly) and what an admin asked of it. A drain request is a key
 * the worker reads at every beat — so one sent while the worker was briefly disconnected still
 * lands — and a message on a channel, so it usually acts at once.
 */
export class WorkerRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** The worker's beat; a drain request for it lives as long as its heartbeat. */
  async beat(heartbeat: WorkerHeartbeat): Promise<void> {
    const ttl = workerRecordTtlSeconds(heartbeat.intervalMs);
    const results = await this.redis
      .multi()
      .set(this.keys.worker(heartbeat.workerId), JSON.stringify(heartbeat), 'EX', ttl)
      .expire(this.keys.workerControl(heartbeat.workerId), ttl)
      .exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** A worker that stopped cleanly leaves nothing behind: a restart under the same id starts active. */
  async remove(workerId: string): Promise<void> {
    await this.redis.del(this.keys.worker(workerId), this.keys.workerControl(workerId));
  }

  /** Whether an admin wants the worker drained (until they resume it). */
  async drainRequested(workerId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.workerControl(workerId))) === 1;
  }

  /** Calls `onRequest` with the id of each worker an admin just asked something of; it then reads drainRequested. */
  async followRequests(subscriber: Redis, onRequest: (workerId: string) => void): Promise<void> {
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.keys.workerControlChannel) onRequest(message);
    });
    await subscriber.subscribe(this.keys.workerControlChannel);
  }

  /** Records an admin's drain or resume of a worker that beats, and tells it. */
  async request(heartbeat: WorkerHeartbeat, what: WorkerRequest): Promise<void> {
    const key = this.keys.workerControl(heartbeat.workerId);
    if (what === 'drain') await this.redis.set(key, 'drain', 'EX', workerRecordTtlSeconds(heartbeat.intervalMs));
    else await this.redis.del(key);
    await this.redis.publish(this.keys.workerControlChannel, heartbeat.workerId);
  }

  /** The worker's last heartbeat, fresh or stale; undefined when it has none (or an unreadable one). */
  async find(workerId: string): Promise<WorkerHeartbeat | undefined> {
    return parseHeartbeat(await this.redis.get(this.keys.worker(workerId)));
  }

  /** The one liveness question every process asks (see isWorkerFresh). */
  async isAlive(workerId: string, now = Date.now()): Promise<boolean> {
    const beat = await this.find(workerId);
    return beat !== undefined && isWorkerFresh(beat, now);
  }

  /** Every worker's last heartbeat, fresh or stale, by id. */
  async list(): Promise<WorkerHeartbeat[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', this.keys.workerPattern, 'COUNT', 10_000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    if (!found.length) return [];
    const values = await this.redis.mget(...found);
    return values
      .flatMap((raw) => {
        const beat = parseHeartbeat(raw);
        return beat ? [beat] : [];
      })
      .sort((a, b) => (a.workerId < b.workerId ? -1 : a.workerId > b.workerId ? 1 : 0));
  }
}

function parseHeartbeat(raw: string | null): WorkerHeartbeat | undefined {
  if (!raw) return undefined;
  try {
    const parsed = WorkerHeartbeat.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
