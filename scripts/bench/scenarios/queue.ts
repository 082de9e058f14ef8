import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { Child, childEnv, REDIS_URL } from '../shelf.js';
import type { BenchContext } from '../context.js';
import { row, type Row, type ScenarioResult } from '../report.js';
import { now, pool } from '../stats.js';
import { shelfBurst, SUBMIT_PARALLEL } from './throughput.js';

const QUEUE = 'bench-bare';

/** Bare BullMQ: `count` jobs added at once to a no-op Worker (its own process) of concurrency `c`. */
async function bareBullmq(ctx: BenchContext, count: number, c: number): Promise<number> {
  const prefix = `${ctx.shelf.keys.prefix}:bare`;
  const queueConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const eventsConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE, { connection: queueConnection, prefix });
  const events = new QueueEvents(QUEUE, { connection: eventsConnection, prefix });
  const worker = new Child(
    `bare BullMQ worker c=${c}`,
    'scripts/bench/bareQueueWorker.ts',
    childEnv({ BENCH_REDIS_URL: REDIS_URL, BENCH_BULL_PREFIX: prefix, BENCH_QUEUE: QUEUE, BENCH_CONCURRENCY: String(c) }),
  );
  try {
    await worker.waitForLine(/ready/, 60_000);
    await events.waitUntilReady();
    // The same options Shelf gives its run jobs (api/src/jobs/enqueueJob.ts).
    const opts = { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 604_800 } };
    let done = 0;
    let failed = 0;
    let resolveAll: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (resolveAll = resolve));
    const target = count + 1;
    events.on('completed', () => ++done + failed === target && resolveAll());
    events.on('failed', () => done + ++failed === target && resolveAll());
    const warm = await queue.add('run', { warm: true }, opts);
    await warm.waitUntilFinished(events, 30_000);
    const t0 = now();
    await pool(count, SUBMIT_PARALLEL, async (i) => {
      await queue.add('run', { i }, opts);
    });
    await Promise.race([all, new Promise((_, reject) => setTimeout(() => reject(new Error('bare BullMQ jobs did not all complete within 120 s')), 120_000))]);
    if (failed) throw new Error(`${failed} bare BullMQ jobs failed`);
    return count / ((now() - t0) / 1000);
  } finally {
    await worker.stop();
    await events.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await Promise.allSettled([queueConnection.quit(), eventsConnection.quit()]);
  }
}

/**
 * 3. Queue overhead alone: Shelf's whole path with a runner that starts no container
 * (HTTP submit, validation, job store, BullMQ, state changes, run folder, WebSocket events)
 * against bare BullMQ with a no-op processor — what Shelf adds on top of BullMQ.
 */
export async function queueScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { jobs, concurrency } = ctx.sizes.queue;
  const rows: Row[] = [];
  const details: Record<string, unknown> = { jobs };
  for (const c of concurrency) {
    await ctx.shelf.startWorker('noop', c);
    const shelfRate = await shelfBurst(ctx, ctx.items.noop, jobs, 120_000);
    await ctx.shelf.stopWorker();
    const bareRate = await bareBullmq(ctx, jobs, c);
    ctx.log(`queue c=${c}: Shelf without containers ${shelfRate.toFixed(0)} jobs/s, bare BullMQ ${bareRate.toFixed(0)} jobs/s`);
    rows.push(row(`3 queue only ${jobs} jobs, concurrency ${c}`, 'jobs/s', 'higher', shelfRate, bareRate));
    details[`concurrency${c}`] = { shelfJobsPerSecond: shelfRate, bareBullmqJobsPerSecond: bareRate };
  }
  return {
    baseline: 'bare BullMQ: Queue.add from this process, a Worker with a no-op processor in its own process, completions seen through QueueEvents',
    rows,
    details,
  };
}
