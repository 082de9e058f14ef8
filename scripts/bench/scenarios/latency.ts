import { JobWatcher, submitJob } from '../client.js';
import { bareRun } from '../bareDocker.js';
import type { BenchContext } from '../context.js';
import { SHELL_IMAGE } from '../items.js';
import { row, type ScenarioResult } from '../report.js';
import { now, summarize } from '../stats.js';

const JOB_TIMEOUT_MS = 60_000;

/**
 * 1. One no-op job at a time: submit → RUNNING and submit → SUCCEEDED as a WebSocket client
 * sees them, against a bare `docker run --rm --network none <image> true`. Shelf and bare runs
 * alternate, so a noisy neighbour slows both sides alike.
 */
export async function latencyScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { shelf, sizes } = ctx;
  await shelf.startWorker('docker', 1);
  const watcher = await JobWatcher.open(shelf.wsUrl);
  try {
    const shelfJob = async () => {
      const t0 = now();
      const id = await submitJob(shelf.url, ctx.items.noop);
      const running = await watcher.wait(id, 'running', JOB_TIMEOUT_MS);
      const finished = await watcher.wait(id, 'finished', JOB_TIMEOUT_MS);
      watcher.assertSucceeded(id);
      watcher.forget(id);
      return { running: running - t0, succeeded: finished - t0 };
    };
    const bare = async () => {
      const run = await bareRun(ctx.docker, SHELL_IMAGE, ['true'], ctx.tag);
      if (run.exitCode !== 0) throw new Error(`bare docker run exited ${run.exitCode}`);
      return run.totalMs;
    };
    for (let i = 0; i < sizes.latency.warmup; i++) {
      await shelfJob();
      await bare();
    }
    const running: number[] = [];
    const succeeded: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < sizes.latency.jobs; i++) {
      const s = await shelfJob();
      running.push(s.running);
      succeeded.push(s.succeeded);
      bareMs.push(await bare());
    }
    const r = summarize(running);
    const s = summarize(succeeded);
    const b = summarize(bareMs);
    ctx.log(`latency: Shelf submit→SUCCEEDED p50 ${s.p50.toFixed(0)} ms, bare docker run p50 ${b.p50.toFixed(0)} ms`);
    return {
      baseline: 'bare `docker run --rm --network none shelf/runtime-shell:1 true` through dockerode (create, attach, start, wait, remove), alternating with the Shelf jobs',
      rows: [
        row('1 latency submit→RUNNING p50', 'ms', 'lower', r.p50, null, '—'),
        row('1 latency submit→RUNNING p95', 'ms', 'lower', r.p95, null, '—'),
        row('1 latency submit→SUCCEEDED p50', 'ms', 'lower', s.p50, b.p50),
        row('1 latency submit→SUCCEEDED p95', 'ms', 'lower', s.p95, b.p95),
      ],
      details: { jobs: sizes.latency.jobs, warmup: sizes.latency.warmup, submitToRunning: r, submitToSucceeded: s, bareDockerRun: b, samples: { running, succeeded, bare: bareMs } },
    };
  } finally {
    watcher.close();
  }
}
