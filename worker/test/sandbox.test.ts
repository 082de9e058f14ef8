import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerHandle } from '../src/startWorker.js';
import {
  Image,
  containersOfJob,
  createTestEnv,
  enqueueJob,
  logText,
  publishItem,
  readLog,
  runners,
  startTestWorker,
  waitForState,
  type TestEnv,
} from './helpers.js';

const SECRET = `sekrit-${Date.now()}`;
/** `key=value` lines the probe printed. */
function probeValues(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').filter((l) => /^[a-z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

const probe = [
  'echo "uid=$(id -u)"',
  'echo "gid=$(id -g)"',
  'echo "root_write=$( (echo x > /probe) 2>&1 )"',
  'echo "bundle_write=$( (echo x > /bundle/probe) 2>&1 )"',
  'echo "input_write=$( (echo x > "$SHELF_INPUT") 2>&1 )"',
  'echo "beside_output=$( (echo x > /shelf/other.json) 2>&1 )"',
  'echo "docker_sock=$(if [ -e /var/run/docker.sock ] || [ -e /run/docker.sock ]; then echo present; else echo absent; fi)"',
  // A connect attempt only: with no network there is no route, nothing is sent anywhere.
  'echo "net_outside=$( (timeout 5 bash -c "exec 3<>/dev/tcp/1.1.1.1/80" && echo connected) 2>&1 | tr "\\n" " ")"',
  'echo "net_redis=$( (timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/6379" && echo connected) 2>&1 | tr "\\n" " ")"',
  'echo "interfaces=$(ls /sys/class/net | tr "\\n" " ")"',
  'echo "caps=$(grep CapEff /proc/self/status | tr -s "\\t " " ")"',
  'echo "no_new_privs=$(grep NoNewPrivs /proc/self/status | tr -s "\\t " " ")"',
  'cp /bin/true /tmp/true',
  'echo "tmp_exec=$( (/tmp/true && echo ran) 2>&1 )"',
  'echo "nofile=$(ulimit -n)"',
  'env | sort | sed "s/^/env:/"',
].join('\n');

describe.each(runners)('on %s', (runner) => {
  let env: TestEnv;
  let worker: WorkerHandle;

  beforeAll(async () => {
    // Secrets in the worker's own environment must never reach a job.
    process.env.SHELF_TEST_SECRET = SECRET;
    process.env.AWS_SECRET_ACCESS_KEY = SECRET;
    env = await createTestEnv();
    worker = await startTestWorker(env, { SHELF_WORKER_CONCURRENCY: '4', SHELF_RUNNER: runner });
    expect(worker.runner).toBe(runner);
  }, 60_000);

  afterAll(async () => {
    delete process.env.SHELF_TEST_SECRET;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    await worker?.close();
    await env?.cleanup();
  });

  async function runShell(script: string, limits = {}, network: 'none' | 'egress' = 'none') {
    const item = await publishItem(env, { 'main.sh': script }, { image: Image.shell, command: ['bash', 'main.sh'], network });
    const jobId = await enqueueJob(env, item, { limits });
    const job = await waitForState(env, jobId);
    const log = await readLog(env, jobId);
    expect(await containersOfJob(jobId)).toEqual([]);
    return { job, log, text: logText(log) };
  }

  describe.concurrent('inside the sandbox', { timeout: 60_000 }, () => {
    it('runs as uid 10001 with a read-only root, no network, no docker socket, no capabilities and a clean env', async () => {
      const { job, text } = await runShell(probe);
      expect(job.state).toBe('SUCCEEDED');
      const v = probeValues(text);
      expect(v.uid).toBe('10001');
      expect(v.gid).toBe('10001');
      expect(v.root_write).toMatch(/Read-only file system/);
      expect(v.bundle_write).toMatch(/Read-only file system/);
      expect(v.input_write).toMatch(/Read-only file system/);
      expect(v.beside_output).toMatch(/Read-only file system/);
      expect(v.docker_sock).toBe('absent');
      expect(v.net_outside).toMatch(/Network is unreachable/);
      expect(v.net_outside).not.toMatch(/connected/);
      expect(v.net_redis).toMatch(/Connection refused/);
      expect(v.net_redis).not.toMatch(/connected/);
      expect(v.interfaces!.trim()).toBe('lo');
      expect(v.caps).toBe('CapEff: 0000000000000000');
      expect(v.no_new_privs).toBe('NoNewPrivs: 1');
      expect(v.tmp_exec).toMatch(/Permission denied/);
      expect(v.nofile).toBe('1024');

      const envNames = text.split('\n').filter((l) => l.startsWith('env:')).map((l) => l.slice(4, l.indexOf('=')));
      expect(envNames).toEqual(expect.arrayContaining(['SHELF_INPUT', 'SHELF_OUTPUT', 'SHELF_JOB_ID', 'HOME']));
      const allowed = new Set(['SHELF_INPUT', 'SHELF_OUTPUT', 'SHELF_JOB_ID', 'HOME', 'PATH', 'LANG', 'HOSTNAME', 'PWD', 'SHLVL', '_']);
      expect(envNames.filter((n) => !allowed.has(n))).toEqual([]);
      expect(text).not.toContain(SECRET);
      expect(text).toContain('env:HOME=/tmp');
    });

    it('with network: egress, gets a network interface (on Docker, whichever the runner), and the same user', async () => {
      const { job, text } = await runShell('echo "interfaces=$(ls /sys/class/net | tr "\\n" " ")"\necho "uid=$(id -u)"', {}, 'egress');
      expect(job.state).toBe('SUCCEEDED');
      const v = probeValues(text);
      expect(v.interfaces!.split(' ').filter((i) => i && i !== 'lo')).not.toEqual([]);
      expect(v.uid).toBe('10001');
    });

    it('gets ENOSPC when it fills /tmp', async () => {
      const { job, text } = await runShell('dd if=/dev/zero of=/tmp/fill bs=1M count=200\necho "dd exit $?"');
      expect(job.state).toBe('SUCCEEDED');
      expect(text).toMatch(/No space left on device/);
      expect(text).toMatch(/dd exit 1/);
    });

    it('is stopped by the pids limit when it fork-bombs, and the worker carries on', async () => {
      const { job, text } = await runShell('echo bombing\nbomb() { bomb | bomb; }\nbomb', { pids: 32, timeoutSeconds: 4 });
      expect(job.state).toBe('FAILED');
      expect(['TIMEOUT', 'EXIT']).toContain(job.error?.code);
      expect(text).toMatch(/Resource temporarily unavailable/);

      const after = await runShell('echo still fine');
      expect(after.job.state).toBe('SUCCEEDED');
      expect(after.text).toBe('still fine');
    });
  });
});
