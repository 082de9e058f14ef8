import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { JobErrorCode, JobState, SECRET_MASK } from '@shelf/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestEnv,
  enqueueJob,
  Image,
  logText,
  publishItem,
  readLog,
  runners,
  startTestWorker,
  testConfig,
  waitForState,
  type TestEnv,
} from './helpers.js';
import type { WorkerHandle } from '../src/startWorker.js';

// Secrets reach the job's container and nowhere else (SPEC §10), on a real worker, Docker and Redis:
// the job prints its secret input and its named secret in the ways scripts do, and the log, the
// progress, the outputs and the run folder show none of them.

const token = `tk-${randomBytes(9).toString('base64url')} "q"/+&`;
const dbPassword = `pw-${randomBytes(12).toString('hex')}`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// Each line prints the secret another way; `cut` splits the value across two writes of the process.
const script = `#!/bin/bash
set -euo pipefail
T=$(jq -r .token "$SHELF_INPUT")
P=$(cat /run/secrets/DB_PASSWORD)
echo "plain: $T"
printf 'split: %s' "\${T:0:5}"; sleep 0.2; printf '%s\\n' "\${T:5}"
echo "stderr: $T" >&2
echo "b64: $(printf '%s' "$T" | base64 -w0)"
echo "b64-embedded: $(printf 'user:%s' "$T" | base64 -w0)"
echo "json: $(jq -cn --arg t "$T" '{token: $t}')"
echo "url: $(jq -rn --arg t "$T" '$t|@uri')"
echo "named: $P"
echo "::progress 50 using $P"
echo "sha-token: $(printf '%s' "$T" | sha256sum | cut -d' ' -f1)"
echo "sha-named: $(printf '%s' "$P" | sha256sum | cut -d' ' -f1)"
echo "secret-file: $(stat -c '%a %u' /run/secrets/DB_PASSWORD) $(stat -f -c %T /run/secrets)"
if (echo x > /run/secrets/DB_PASSWORD) 2>/dev/null; then echo "secret-file: writable"; else echo "secret-file: read-only"; fi
jq -n --arg t "$T" --arg p "$P" '{echo: $t, nested: {list: ["x", $p]}, ($p): "as a key", sentence: ("the token is " + $t)}' > "$SHELF_OUTPUT"
`;

describe.each(runners)('on %s', (runner) => {
  let env: TestEnv;
  let worker: WorkerHandle;

  beforeAll(async () => {
    env = await createTestEnv();
    worker = await startTestWorker(env, { SHELF_RUNNER: runner });
    expect(worker.runner).toBe(runner);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await env?.cleanup();
  });

  describe('secrets in a run', () => {
    it('mounts the named secret read-only on tmpfs for uid 10001 and masks every form of every secret', async () => {
      const item = await publishItem(env, { 'run.sh': { content: script, mode: 0o755 } }, { image: Image.shell, command: ['./run.sh'], secrets: ['DB_PASSWORD'] });
      await env.namedSecrets.create({ name: 'DB_PASSWORD', value: dbPassword, items: [item.itemId], description: '' }, 'test');
      const id = await enqueueJob(env, item, { inputs: { token: SECRET_MASK, note: 'visible' }, secretInputs: { '/token': token } });
      const job = await waitForState(env, id);
      const log = logText(await readLog(env, id));
      expect(job.state, log).toBe(JobState.SUCCEEDED);

      // The values reached the container…
      expect(log).toContain(`sha-token: ${sha256(token)}`);
      expect(log).toContain(`sha-named: ${sha256(dbPassword)}`);
      expect(log).toContain('secret-file: 400 10001 tmpfs');
      expect(log).toContain('secret-file: read-only');
      // …and every way they were printed is masked, the split one included.
      for (const label of ['plain', 'split', 'stderr', 'b64', 'url', 'named']) expect(log).toContain(`${label}: ${SECRET_MASK}`);
      expect(log).toContain(`json: {"token":"${SECRET_MASK}"}`);
      expect(log).toMatch(/b64-embedded: \S{0,8}\*{8}/);
      const everything = JSON.stringify({ job, log });
      for (const form of [token, dbPassword, Buffer.from(token).toString('base64'), encodeURIComponent(token), JSON.stringify(token).slice(1, -1), token.slice(0, 12)]) {
        expect(everything).not.toContain(form);
      }
      expect(job.progress?.message).toBe(`using ${SECRET_MASK}`);
      expect(job.outputs).toEqual({ echo: SECRET_MASK, nested: { list: ['x', SECRET_MASK] }, [SECRET_MASK]: 'as a key', sentence: `the token is ${SECRET_MASK}` });
      expect(job.inputs).toEqual({ token: SECRET_MASK, note: 'visible' });

      // The run folder (secret inputs in clear, the secret file) is gone with the job.
      const runs = await readdir(testConfig(env).runDir).catch(() => [] as string[]);
      expect(runs.filter((name) => name.startsWith(id))).toEqual([]);
    }, 60_000);

    it('fails a job whose named secret was withdrawn after submission, saying which, before anything runs', async () => {
      const item = await publishItem(env, { 'run.sh': { content: '#!/bin/sh\necho ran\n', mode: 0o755 } }, { image: Image.shell, command: ['./run.sh'], secrets: ['WITHDRAWN'] });
      await env.namedSecrets.create({ name: 'WITHDRAWN', value: 'some-value', items: [], description: '' }, 'test');
      const id = await enqueueJob(env, item);
      const job = await waitForState(env, id);
      expect(job.state).toBe(JobState.FAILED);
      expect(job.error?.code).toBe(JobErrorCode.INFRA);
      expect(job.error?.message).toMatch(/WITHDRAWN \(not allowed for item-/);
      expect(logText(await readLog(env, id))).not.toContain('ran');
    }, 60_000);

    it('fails loudly on a worker whose key is not the one that sealed the secret inputs', async () => {
      const other = await createTestEnv();
      const wrongKeyWorker = await startTestWorker(other, { SHELF_REDIS_PREFIX: env.prefix, SHELF_BUNDLES_DIR: env.storeDir, SHELF_WORKER_ID: 'wrong-key-worker' });
      await worker.close();
      try {
        const item = await publishItem(env, { 'run.sh': { content: '#!/bin/sh\necho ran\n', mode: 0o755 } }, { image: Image.shell, command: ['./run.sh'] });
        const id = await enqueueJob(env, item, { inputs: { token: SECRET_MASK }, secretInputs: { '/token': token } });
        const job = await waitForState(env, id);
        expect(job.state).toBe(JobState.FAILED);
        expect(job.error?.code).toBe(JobErrorCode.INFRA);
        expect(job.error?.message).toContain(`was sealed with key ${env.secretBox.keyId}, but this process has key ${other.secretBox.keyId}`);
        expect(job.error?.message).not.toContain(token);
      } finally {
        await wrongKeyWorker.close();
        await other.cleanup();
        worker = await startTestWorker(env, { SHELF_RUNNER: runner });
      }
    }, 60_000);
  });
});
