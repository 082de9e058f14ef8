import { JobWatcher, submitJob } from '../client.js';
import { bareRun } from '../bareDocker.js';
import type { BenchContext } from '../context.js';
import { SHELL_IMAGE } from '../items.js';
import { row, type Row, type ScenarioResult } from '../report.js';
import { now, pool } from '../stats.js';

/** Submissions in flight at once: "all at once" without opening hundreds of sockets. */
export const SUBMIT_PARALLEL = 16;

/**
 * Submits `count` jobs of `itemId` at once and waits for all of them to finish: jobs per
 * second from the first submit to the last SUCCEEDED seen on the WebSocket.
 */
export async function shelfBurst(ctx: BenchContext, itemId: string, count: number, timeoutMs: number): Promise<number> {
  const watcher = await JobWatcher.open(ctx.shelf.wsUrl);
  try {
    // One job first: the worker's connections, caches and JIT are warm before the clock starts.
    const warm = await submitJob(ctx.shelf.url, itemId);
    await watcher.wait(warm, 'finished', timeoutMs);
    watcher.assertSucceeded(warm);
    const ids: string[] = [];
    const t0 = now();
    await pool(count, SUBMIT_PARALLEL, async () => {
      ids.push(await submitJob(ctx.shelf.url, itemId));
    });
    let last = t0;
    for (const id of ids) {
      last = Math.max(last, await watcher.wait(id, 'finished', timeoutMs));
      watcher.assertSucceeded(id);
    }
    return count / ((last - t0) / 1000);
  } finally {
    watcher.close();
  }
}

/**
 * 2. Throughput: `jobs` no-op jobs submitted at once to a worker of concurrency 1, 2, 4,
 * against bare dockerode create/attach/start/wait/remove with the same concurrency.
 */
export async function throughputScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { jobs, concurrency } = ctx.sizes.throughput;
  const rows: Row[] = [];
  const details: Record<string, unknown> = { jobs };
  for (const c of concurrency) {
    await ctx.shelf.startWorker('docker', c);
    const shelfRate = await shelfBurst(ctx, ctx.items.noop, jobs, 300_000);
    await bareRun(ctx.docker, SHELL_IMAGE, ['true'], ctx.tag);
    const t0 = now();
    await pool(jobs, c, async () => {
      const run = await bareRun(ctx.docker, SHELL_IMAGE, ['true'], ctx.tag);
      if (run.exitCode !== 0) throw new Error(`bare docker run exited ${run.exitCode}`);
    });
    const bareRate = jobs / ((now() - t0) / 1000);
    ctx.log(`throughput c=${c}: Shelf ${shelfRate.toFixed(2)} jobs/s, bare ${bareRate.toFixed(2)} jobs/s`);
    rows.push(row(`2 throughput ${jobs} jobs, concurrency ${c}`, 'jobs/s', 'higher', shelfRate, bareRate));
    details[`concurrency${c}`] = { shelfJobsPerSecond: shelfRate, bareJobsPerSecond: bareRate };
  }
  return {
    baseline: 'bare dockerode create/attach/start/wait/remove of the same image and command, with the same number running at once',
    rows,
    details,
  };
}
