import { hostname } from 'node:os';
import type { WorkerHeartbeat, WorkerState } from '@shelf/contract';
import type { WorkerRegistry } from '@shelf/records';

/** What this worker says about itself at every beat. */
export interface HeartbeatSource {
  workerId: string;
  version: string;
  labels: string[];
  concurrency: number;
  intervalMs: number;
  startedAt: string;
  /** The ids of the jobs it is processing. */
  running: () => string[];
  state: () => WorkerState;
  /** The sandbox engine: docker or runc. */
  runner: string;
  /** Throws when the sandbox engine is unreachable. */
  ping: () => Promise<void>;
}

const PING_TIMEOUT_MS = 3_000;

/**
 * Writes this worker's heartbeat to the registry: while it is fresh (isWorkerFresh) the worker
 * is alive, the API lists it and knows someone can run jobs.
 */
export async function beat(registry: Pick<WorkerRegistry, 'beat'>, source: HeartbeatSource): Promise<void> {
  let docker = true;
  let dockerError: string | undefined;
  try {
    await withTimeout(source.ping(), PING_TIMEOUT_MS);
  } catch (err) {
    docker = false;
    dockerError = err instanceof Error ? err.message : String(err);
  }
  // Read after the ping, right before the write: of two beats in flight, the later write says the later state.
  const heartbeat: WorkerHeartbeat = {
    workerId: source.workerId,
    host: hostname(),
    version: source.version,
    runner: source.runner,
    labels: source.labels,
    docker,
    ...(dockerError ? { dockerError } : {}),
    concurrency: source.concurrency,
    running: source.running(),
    state: source.state(),
    startedAt: source.startedAt,
    seenAt: new Date().toISOString(),
    intervalMs: source.intervalMs,
  };
  await registry.beat(heartbeat);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
