import path from 'node:path';
import { BareRunc } from '../bareRunc.js';
import { JobWatcher, submitJob } from '../client.js';
import type { BenchContext } from '../context.js';
import { SHELL_IMAGE } from '../items.js';
import { row, type Row, type ScenarioResult } from '../report.js';
import { now, pool, summarize } from '../stats.js';
import { shelfBurst } from './throughput.js';

const JOB_TIMEOUT_MS = 60_000;

/**
 * 1b. The runc runner: one no-op job at a time, submit → SUCCEEDED on the WebSocket, alternating
 * with a bare `runc run` of `true` (same rootfs, same config.json); then the same jobs on the
 * Docker runner; then throughput at concurrency 1, 2, 4 against bare `runc run`s in parallel.
 */
export async function runcScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { shelf, sizes } = ctx;
  await shelf.startWorker('runc', 1);
  const bare = await BareRunc.prepare(ctx.docker, SHELL_IMAGE, path.join(ctx.tmp, 'worker-cache'), ctx.tmp, ctx.tag);
  try {
    const runcJobs: number[] = [];
    const bareMs: number[] = [];
    const dockerJobs: number[] = [];
    await latencies(ctx, sizes.latency.warmup, sizes.latency.jobs, runcJobs, async () => void bareMs.push(await bare.run()));
    bareMs.splice(0, sizes.latency.warmup);
    const rows: Row[] = [];
    const details: Record<string, unknown> = {};
    const throughputRows: Row[] = [];
    for (const c of sizes.throughput.concurrency) {
      await shelf.startWorker('runc', c);
      const shelfRate = await shelfBurst(ctx, ctx.items.noop, sizes.throughput.jobs, 300_000);
      const t0 = now();
      await pool(sizes.throughput.jobs, c, async () => void (await bare.run()));
      const bareRate = sizes.throughput.jobs / ((now() - t0) / 1000);
      ctx.log(`runc throughput c=${c}: Shelf ${shelfRate.toFixed(1)} jobs/s, bare runc ${bareRate.toFixed(1)} jobs/s`);
      throughputRows.push(row(`1b runc throughput ${sizes.throughput.jobs} jobs, concurrency ${c}`, 'jobs/s', 'higher', shelfRate, bareRate));
      details[`concurrency${c}`] = { shelfJobsPerSecond: shelfRate, bareJobsPerSecond: bareRate };
    }
    await shelf.startWorker('docker', 1);
    await latencies(ctx, sizes.latency.warmup, Math.max(3, Math.ceil(sizes.latency.jobs / 2)), dockerJobs);
    const r = summarize(runcJobs);
    const b = summarize(bareMs);
    const d = summarize(dockerJobs);
    ctx.log(`runc: Shelf submit→SUCCEEDED p50 ${r.p50.toFixed(0)} ms, bare runc run p50 ${b.p50.toFixed(0)} ms, Shelf on Docker p50 ${d.p50.toFixed(0)} ms`);
    rows.push(
      row('1b latency on runc submit→SUCCEEDED p50', 'ms', 'lower', r.p50, b.p50),
      row('1b latency on runc submit→SUCCEEDED p95', 'ms', 'lower', r.p95, b.p95),
      row('1b runc runner vs Docker runner, submit→SUCCEEDED p50', 'ms', 'lower', r.p50, d.p50, 'baseline: the Docker runner'),
      row('1b runc runner vs Docker runner, submit→SUCCEEDED p95', 'ms', 'lower', r.p95, d.p95, 'baseline: the Docker runner'),
      ...throughputRows,
    );
    return {
      baseline: 'bare `runc run` of `true` with the same rootfs and config.json as the worker writes (bundle written, run, runc deleting it); the Docker-runner rows are against Shelf on Docker',
      rows,
      details: { ...details, jobs: sizes.latency.jobs, runc: r, bareRunc: b, docker: d, samples: { runc: runcJobs, bare: bareMs, docker: dockerJobs } },
    };
  } finally {
    await bare.cleanUp();
  }
}

/** `jobs` no-op jobs one at a time (after `warmup` unmeasured), each followed by `between`. */
async function latencies(ctx: BenchContext, warmup: number, jobs: number, into: number[], between?: () => Promise<void>): Promise<void> {
  const watcher = await JobWatcher.open(ctx.shelf.wsUrl);
  try {
    for (let i = 0; i < warmup + jobs; i++) {
      const t0 = now();
      const id = await submitJob(ctx.shelf.url, ctx.items.noop);
      const finished = await watcher.wait(id, 'finished', JOB_TIMEOUT_MS);
      watcher.assertSucceeded(id);
      watcher.forget(id);
      if (i >= warmup) into.push(finished - t0);
      await between?.();
    }
  } finally {
    watcher.close();
  }
}
