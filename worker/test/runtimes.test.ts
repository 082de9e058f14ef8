import type { JobSummary, LogLine } from '@shelf/contract';
import { followJobEvents } from '@shelf/records';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerHandle } from '../src/startWorker.js';
import {
  REDIS_URL,
  Image,
  containersOfJob,
  createTestEnv,
  enqueueJob,
  publishItem,
  readLog,
  runners,
  startTestWorker,
  waitForState,
  type ItemFiles,
  type TestEnv,
} from './helpers.js';

describe.each(runners)('on %s', (runner) => {
  let env: TestEnv;
  let worker: WorkerHandle;
  let subscriber: Redis;
  const events: JobSummary[] = [];
  const logBatches = new Map<string, LogLine[][]>();

  beforeAll(async () => {
    env = await createTestEnv();
    subscriber = new Redis(REDIS_URL);
    await followJobEvents(subscriber, env.keys, {
      job: (message) => events.push(JSON.parse(message) as JobSummary),
      log: (jobId, message) => logBatches.set(jobId, [...(logBatches.get(jobId) ?? []), JSON.parse(message) as LogLine[]]),
    });
    worker = await startTestWorker(env, { SHELF_RUNNER: runner });
    expect(worker.runner).toBe(runner);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await subscriber?.quit();
    await env?.cleanup();
  });

  const runtimes: Array<{ name: string; image: string; command: string[]; files: ItemFiles }> = [
    {
      name: 'shell',
      image: Image.shell,
      command: ['bash', 'main.sh'],
      files: {
        'main.sh': [
          'set -euo pipefail',
          'name=$(jq -r .name "$SHELF_INPUT")',
          'echo "hello $name from $(pwd)"',
          'echo "::progress 50 halfway"',
          'sleep 0.3',
          'echo "a warning" >&2',
          'echo "::progress 90 almost"',
          'printf "windows line\\r\\n"',
          'jq -n --arg g "hello $name" --arg j "$SHELF_JOB_ID" \'{greeting: $g, job: $j}\' > "$SHELF_OUTPUT"',
        ].join('\n'),
      },
    },
    {
      name: 'python',
      image: Image.python,
      command: ['python3', 'main.py'],
      files: {
        'main.py': [
          'import json, os, sys, time',
          'inputs = json.load(open(os.environ["SHELF_INPUT"]))',
          'print(f"hello {inputs[\'name\']} from {os.getcwd()}", flush=True)',
          'print("::progress 50 halfway", flush=True)',
          'time.sleep(0.3)',
          'print("a warning", file=sys.stderr, flush=True)',
          'print("::progress 90 almost", flush=True)',
          'print("windows line\\r", flush=True)',
          'with open(os.environ["SHELF_OUTPUT"], "w") as f:',
          '    json.dump({"greeting": f"hello {inputs[\'name\']}", "job": os.environ["SHELF_JOB_ID"]}, f)',
        ].join('\n'),
      },
    },
    {
      name: 'node',
      image: Image.node,
      command: ['node', 'main.mjs'],
      files: {
        'main.mjs': [
          "import fs from 'node:fs';",
          'const inputs = JSON.parse(fs.readFileSync(process.env.SHELF_INPUT, "utf8"));',
          'console.log(`hello ${inputs.name} from ${process.cwd()}`);',
          'console.log("::progress 50 halfway");',
          'await new Promise((r) => setTimeout(r, 300));',
          'console.error("a warning");',
          'console.log("::progress 90 almost");',
          'process.stdout.write("windows line\\r\\n");',
          'fs.writeFileSync(process.env.SHELF_OUTPUT, JSON.stringify({ greeting: `hello ${inputs.name}`, job: process.env.SHELF_JOB_ID }));',
        ].join('\n'),
      },
    },
  ];

  describe.concurrent('a job on each runtime image', { timeout: 60_000 }, () => {
    for (const runtime of runtimes) {
      it(`runs ${runtime.name}: inputs in, progress, logs and outputs out`, async () => {
        const item = await publishItem(env, runtime.files, { image: runtime.image, command: runtime.command });
        const jobId = await enqueueJob(env, item, { inputs: { name: 'Ada' } });
        const job = await waitForState(env, jobId);

        expect(job.error).toBeNull();
        expect(job.state).toBe('SUCCEEDED');
        expect(job.exitCode).toBe(0);
        expect(job.outputs).toEqual({ greeting: 'hello Ada', job: jobId });
        expect(job.progress).toEqual({ percent: 100, message: 'almost' });
        expect(job.startedAt).not.toBeNull();
        expect(Date.parse(job.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(job.startedAt!));

        const log = await readLog(env, jobId);
        // stdout and stderr are separate pipes: their relative order is not guaranteed.
        expect(log.map((l) => l.seq)).toEqual([1, 2, 3]);
        expect(log.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(['hello Ada from /bundle', 'windows line']);
        expect(log.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['a warning']);

        // What the API relays: summaries on every change, the log as batches.
        const mine = events.filter((e) => e.id === jobId);
        expect(mine.map((e) => e.state)).toContain('RUNNING');
        expect(mine.some((e) => e.state === 'RUNNING' && e.progress.percent === 50 && e.progress.message === 'halfway')).toBe(true);
        expect(mine.at(-1)).toMatchObject({ state: 'SUCCEEDED', error: null, progress: { percent: 100 } });
        expect((logBatches.get(jobId) ?? []).flat()).toEqual(log);

        expect(await containersOfJob(jobId)).toEqual([]);
      });
    }
  });
});
