// The Shelf worker exactly as worker/src/main.ts starts it, with a runner that starts no
// container: what is left is Shelf's own path (HTTP, validation, job store, BullMQ, state
// changes, run folder, events), which scenario 3 sets against bare BullMQ.
import { loadConfig } from '../../worker/src/config.js';
import { createLogger } from '../../worker/src/logger.js';
import type { Runner, RunResult } from '../../worker/src/runners/runner.js';
import { startWorker } from '../../worker/src/startWorker.js';

const noContainer: Runner = {
  run: async (): Promise<RunResult> => ({ exitCode: 0, oomKilled: false, timedOut: false, aborted: false, durationMs: 0 }),
  ping: async () => undefined,
  removeJob: async () => 0,
  sweepOrphans: async () => 0,
};

const config = loadConfig();
const worker = await startWorker(config, createLogger(config.logLevel, config.workerId), noContainer);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void worker.close(5_000).finally(() => process.exit(0)));
}
