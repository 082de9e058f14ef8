import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { removeBareContainers } from './bareDocker.js';
import type { BenchContext } from './context.js';
import { importBenchItems } from './items.js';
import { machineInfo } from './machine.js';
import type { BenchReport, Row, ScenarioResult } from './report.js';
import { apiScenario } from './scenarios/api.js';
import { importsScenario } from './scenarios/imports.js';
import { latencyScenario } from './scenarios/latency.js';
import { liveLogsScenario } from './scenarios/liveLogs.js';
import { queueScenario } from './scenarios/queue.js';
import { runcScenario } from './scenarios/runc.js';
import { throughputScenario } from './scenarios/throughput.js';
import { validationScenario } from './scenarios/validation.js';
import { BenchShelf, REDIS_URL } from './shelf.js';
import type { BenchSizes } from './sizes.js';
import { now } from './stats.js';

/** The scenarios in the order they run: the 100,000 seeded jobs come last so nothing else runs on top of them. */
export const scenarios = {
  latency: latencyScenario,
  runc: runcScenario,
  throughput: throughputScenario,
  queue: queueScenario,
  logs: liveLogsScenario,
  imports: importsScenario,
  validation: validationScenario,
  api: apiScenario,
} satisfies Record<string, (ctx: BenchContext) => Promise<ScenarioResult>>;
export type ScenarioName = keyof typeof scenarios;

export interface BenchOptions {
  sizes: BenchSizes;
  /** Run only these scenarios (all by default). */
  only?: ScenarioName[];
  log?: (line: string) => void;
}

/**
 * Starts a Shelf of its own (API and worker processes, a fresh Redis prefix, temp folders),
 * runs the scenarios against it and the bare tools, and leaves nothing behind.
 * A scenario that fails is reported as such; the others still run.
 */
export async function runBench(opts: BenchOptions): Promise<BenchReport> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const started = now();
  const docker = new Docker();
  const machine = await machineInfo(docker, REDIS_URL);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'shelf-bench-'));
  const prefix = `bench-${randomBytes(5).toString('hex')}`;
  const report: BenchReport = {
    date: new Date().toISOString(),
    mode: opts.sizes.mode,
    machine,
    durationSeconds: 0,
    rows: [],
    baselines: {},
    details: {},
    errors: [],
  };
  let shelf: BenchShelf | undefined;
  // Ctrl-C mid-run: still remove this run's processes, keys, containers and files.
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  };
  const cleanUp = async () => {
    await shelf?.stop().catch((err: unknown) => log(`cleanup: ${String(err)}`));
    await removeBareContainers(docker, prefix).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    shelf = await BenchShelf.start({ tmp, prefix, webhookSecret: randomBytes(16).toString('hex') });
    await mkdir(shelf.itemsDir, { recursive: true });
    const items = await importBenchItems(shelf.url, shelf.itemsDir);
    const ctx: BenchContext = { sizes: opts.sizes, shelf, docker, tmp, tag: prefix, items, log };
    for (const [name, scenario] of Object.entries(scenarios) as Array<[ScenarioName, (ctx: BenchContext) => Promise<ScenarioResult>]>) {
      if (opts.only && !opts.only.includes(name)) continue;
      const t0 = now();
      log(`— ${name} …`);
      try {
        const result = await scenario(ctx);
        report.rows.push(...result.rows);
        report.baselines[name] = result.baseline;
        report.details[name] = { ...result.details, seconds: (now() - t0) / 1000 };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log(`${name} failed: ${message}`);
        report.errors.push({ scenario: name, error: message });
        report.rows.push(failedRow(name));
      }
    }
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await cleanUp();
  }
  report.durationSeconds = (now() - started) / 1000;
  report.machine.loadAverage.end = os.loadavg()[0]!;
  return report;
}

function failedRow(name: string): Row {
  return { scenario: `${name}: failed (see errors)`, unit: '', shelf: null, baseline: null, ratio: null, better: 'lower', note: 'failed' };
}
