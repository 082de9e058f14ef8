import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerHandle } from '../src/startWorker.js';
import { Image, createTestEnv, enqueueJob, publishItem, readLog, runners, startTestWorker, waitForState, type TestEnv } from './helpers.js';

const LOG_CAP = 1024 * 1024;
const LINE_CAP = 20_000;
describe.each(runners)('on %s', (runner) => {
  let env: TestEnv;
  let worker: WorkerHandle;

  beforeAll(async () => {
    env = await createTestEnv();
    worker = await startTestWorker(env, { SHELF_MAX_LOG_BYTES: String(LOG_CAP), SHELF_MAX_LOG_LINES: String(LINE_CAP), SHELF_RUNNER: runner });
    expect(worker.runner).toBe(runner);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await env?.cleanup();
  });

  async function runShell(script: string) {
    const item = await publishItem(env, { 'main.sh': script }, { image: Image.shell, command: ['bash', 'main.sh'] });
    const jobId = await enqueueJob(env, item, { limits: { cpus: 1, timeoutSeconds: 120 } });
    return { jobId, job: await waitForState(env, jobId, undefined, 120_000), log: await readLog(env, jobId) };
  }

  describe('a job that floods stdout', { timeout: 150_000 }, () => {
    it('1 GB of output: the log is capped with a truncation line, progress still counts, worker memory stays flat', async () => {
      global.gc?.();
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
      const started = Date.now();
      const { job, log } = await runShell(
        [
          'line=$(printf "x%.0s" $(seq 1 99))',
          'yes "$line" | head -c 1G',
          'echo', // head cut the last line short
          'echo "::progress 77 after the flood"',
          'echo "{\\"done\\": true}" > "$SHELF_OUTPUT"',
        ].join('\n'),
      ).finally(() => clearInterval(sampler));
      const seconds = (Date.now() - started) / 1000;

      expect(job.state).toBe('SUCCEEDED');
      expect(job.outputs).toEqual({ done: true });
      // A progress line after the cap was still read.
      expect(job.progress).toEqual({ percent: 100, message: 'after the flood' });
      const last = log.at(-1)!;
      expect(last).toMatchObject({ stream: 'system', line: `log truncated: the job printed more than ${LOG_CAP} bytes; later lines were dropped` });
      expect(log.slice(0, -1).every((l) => l.stream === 'stdout' && l.line.length === 99)).toBe(true);
      // Each stored line counts its newline, as the bytes of a log file would.
      const stored = log.slice(0, -1).reduce((n, l) => n + l.line.length + 1, 0);
      expect(stored).toBeLessThanOrEqual(LOG_CAP);
      expect(stored).toBeGreaterThan(LOG_CAP - 100);
      expect(log.map((l) => l.seq)).toEqual(log.map((_, i) => i + 1));
      const growthMb = (peak - baseline) / 1024 / 1024;
      console.info(`${runner}: 1 GB flood: ${seconds.toFixed(1)} s, worker RSS +${growthMb.toFixed(0)} MB (peak ${(peak / 1024 / 1024).toFixed(0)} MB)`);
      expect(growthMb).toBeLessThan(150);
    });

    it('a flood of one-byte lines hits the line cap, not Redis memory', async () => {
      const { job, log } = await runShell('yes | head -c 50M\necho after');
      expect(job.state).toBe('SUCCEEDED');
      expect(log).toHaveLength(LINE_CAP + 1);
      expect(log.at(-1)).toMatchObject({
        seq: LINE_CAP + 1,
        stream: 'system',
        line: `log truncated: the job printed more than ${LINE_CAP} lines; later lines were dropped`,
      });
    });
  });
});
