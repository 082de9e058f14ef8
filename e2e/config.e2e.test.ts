import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Starts a Shelf process the way `npm start` does and collects what it says until it exits. */
function runProcess(entry: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// A process that would start must not: every case here is refused before Redis or Docker is touched.
describe('a bad setting stops the process with one sentence naming it', () => {
  it.each([
    ['api/src/main.ts', { SHELF_MAX_MEMORY: 'lots' }, 'SHELF_MAX_MEMORY'],
    ['api/src/main.ts', { SHELF_ADMIN_TOKEN: 'hunter2-too-short' }, 'SHELF_ADMIN_TOKEN'],
    ['api/src/main.ts', { PORT: 'eighty' }, 'PORT'],
    ['api/src/main.ts', { SHELF_OIDC_ISSUER: 'https://idp.example' }, 'SHELF_OIDC_CLIENT_ID'],
    ['worker/src/main.ts', { SHELF_WORKER_CONCURRENCY: 'many' }, 'SHELF_WORKER_CONCURRENCY'],
    ['worker/src/main.ts', { SHELF_TMP_SIZE: '64 parsecs' }, 'SHELF_TMP_SIZE'],
  ])('%s with %o', async (entry, env, name) => {
    const { code, stdout, stderr } = await runProcess(entry, { SHELF_REDIS_PREFIX: 'config-test', REDIS_URL: 'redis://127.0.0.1:1', ...env });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^shelf: the (API|worker) cannot start: /);
    expect(lines[0]).toContain(name);
    // The value itself is never repeated: it might be a secret in the wrong variable.
    for (const value of Object.values(env)) expect(lines[0]).not.toContain(value);
  });
});
