import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, asAdmin, startShelf, type RunningShelf } from '../../e2e/shelfProcess.js';

// The CLI as a user runs it: the built binary, spawned, against a whole Shelf (API and worker
// processes, real Redis, real Docker), each test with a config folder of its own.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const binary = path.join(root, 'cli/dist/shelf.js');

let shelf: RunningShelf;
let tmp: string;

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(root, 'cli/build.mjs')], { stdio: 'inherit' });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'shelf-cli-'));
  shelf = await startShelf();
}, 120_000);

afterAll(async () => {
  await shelf?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
}, 60_000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh, empty config home, as on a machine that never ran `shelf login`. */
async function configHome(): Promise<string> {
  return mkdtemp(path.join(tmp, 'xdg-'));
}

/** Runs `shelf args…`; by default as the admin through SHELF_URL/SHELF_TOKEN with an empty config home. */
async function shelfCli(args: string[], opts: { env?: Record<string, string | undefined>; stdin?: string; xdg?: string } = {}): Promise<Run> {
  const xdg = opts.xdg ?? (await configHome());
  const env: Record<string, string | undefined> = { ...process.env, HOME: tmp, XDG_CONFIG_HOME: xdg, SHELF_URL: shelf.url, SHELF_TOKEN: adminToken, NO_COLOR: '1', ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(process.execPath, [binary, ...args], { cwd: tmp, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(opts.stdin ?? '');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

/** Writes an item folder: a shell script that prints `count` numbered lines with ::progress, or fails on request. */
async function counterItem(id: string, version = '1.0.0', extra = ''): Promise<string> {
  const dir = path.join(tmp, `${id}-${version}-${Math.random().toString(16).slice(2, 8)}`);
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'manifest.yaml'),
    `id: ${id}\nname: Counter ${id}\nversion: ${version}\ndescription: Counts.\nowner: cli-tests\nruntime:\n  image: shelf/runtime-shell:1\n  command: ["bash", "main.sh"]\ntimeout: 120\n`,
  );
  await writeFile(
    path.join(dir, 'schema.json'),
    JSON.stringify({
      type: 'object',
      properties: {
        count: { type: 'integer', minimum: 1, maximum: 500, default: 5, description: 'how many lines' },
        delay: { type: 'number', default: 0 },
        fail: { type: 'boolean', default: false },
      },
    }),
  );
  await writeFile(
    path.join(dir, 'main.sh'),
    `set -eu
count=$(jq -r .count "$SHELF_INPUT"); delay=$(jq -r .delay "$SHELF_INPUT")
if [ "$(jq -r .fail "$SHELF_INPUT")" = true ]; then echo "the disk is on fire" >&2; exit 3; fi
for i in $(seq 1 "$count"); do
  echo "line $i of $count"
  echo "::progress $(( i * 100 / count )) step $i"
  sleep "$delay"
done
jq -n --argjson count "$count" '{counted: $count}' > "$SHELF_OUTPUT"
${extra}`,
  );
  return dir;
}

async function api<T = any>(method: string, route: string, body?: unknown, headers: Record<string, string> = asAdmin): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${shelf.url}${route}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

/** A user of `role` and an API token of theirs, made the way a person does (sign in, Settings → token). */
async function tokenFor(username: string, role: string): Promise<string> {
  const password = 'a long enough password';
  expect((await api('POST', '/api/users', { username, password, role })).status).toBe(201);
  const login = await fetch(`${shelf.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const token = await api<{ token: string }>('POST', '/api/tokens', { name: 'cli' }, { cookie, origin: shelf.url });
  expect(token.status).toBe(201);
  return token.body.token;
}

describe('shelf login, whoami, logout', () => {
  it('checks the token, stores it readable by the owner only, and uses it', async () => {
    const xdg = await configHome();
    const noEnv = { SHELF_URL: undefined, SHELF_TOKEN: undefined };
    const login = await shelfCli(['login', '--url', `${shelf.url}/`, '--token-stdin'], { xdg, env: noEnv, stdin: `${adminToken}\n` });
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    const file = path.join(xdg, 'shelf', 'config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ url: shelf.url, token: adminToken });

    const whoami = await shelfCli(['whoami'], { xdg, env: noEnv });
    expect(whoami.code).toBe(0);
    expect(whoami.stdout).toContain(`at ${shelf.url}`);
    const json = await shelfCli(['whoami', '--json'], { xdg, env: noEnv });
    expect(JSON.parse(json.stdout)).toMatchObject({ url: shelf.url, role: 'admin', via: 'token' });

    expect((await shelfCli(['logout'], { xdg, env: noEnv })).code).toBe(0);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
    const after = await shelfCli(['whoami'], { xdg, env: noEnv });
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(/no Shelf to talk to: run `shelf login --url URL`/);
  });

  it('refuses a wrong token at login and stores nothing', async () => {
    const xdg = await configHome();
    const run = await shelfCli(['login', '--url', shelf.url, '--token-stdin'], { xdg, stdin: 'shelf_not-a-real-token' });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('shelf: the token was refused; run `shelf login`\n');
    await expect(stat(path.join(xdg, 'shelf', 'config.json'))).rejects.toThrow(/ENOENT/);
  });
});

describe('shelf validate', () => {
  it('lists every problem of a bad folder with its file and JSON path, and exits 1', async () => {
    const dir = await counterItem('cli-bad');
    await writeFile(path.join(dir, 'manifest.yaml'), 'id: cli-bad\nname: Bad\nversion: one\nruntime:\n  image: shelf/runtime-shell:1\n  command: ["bash"]\ncolour: blue\n');
    await writeFile(path.join(dir, 'schema.json'), '{"type": "object", "properties": {"x": {"type": "strnig"}}}');
    const run = await shelfCli(['validate', dir], { env: { SHELF_URL: undefined, SHELF_TOKEN: undefined } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('manifest.yaml /version: "one" is not a semantic version');
    expect(run.stdout).toContain('manifest.yaml /colour: unknown field "colour"');
    expect(run.stdout).toMatch(/schema\.json \/properties\/x\/type: /);

    const json = await shelfCli(['validate', dir, '--json']);
    expect(json.code).toBe(1);
    const answer = JSON.parse(json.stdout);
    expect(answer.ok).toBe(false);
    expect(answer.problems).toEqual(
      expect.arrayContaining([
        { file: 'manifest.yaml', path: '/version', message: expect.stringContaining('semantic version') },
        expect.objectContaining({ file: 'schema.json', path: '/properties/x/type' }),
      ]),
    );
  });

  it('refuses what an upload would refuse (a symlink), naming the entry', async () => {
    const dir = await counterItem('cli-link');
    execFileSync('ln', ['-s', '/etc/passwd', path.join(dir, 'passwd')]);
    const run = await shelfCli(['validate', dir, '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).problems).toEqual([{ file: 'passwd', path: '', message: expect.stringContaining('a symbolic link') }]);
  });

  it('passes a good folder with exit 0, and checks a tag against the manifest', async () => {
    const dir = await counterItem('cli-good', '1.2.0');
    const run = await shelfCli(['validate', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('✓ cli-good@1.2.0 is valid (3 files)\n');
    expect((await shelfCli(['validate', dir, '--tag', 'cli-good@1.2.0'])).code).toBe(0);
    const wrong = await shelfCli(['validate', dir, '--tag', 'cli-good@1.3.0']);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain("manifest.yaml /version: manifest version 1.2.0 disagrees with the tag's version 1.3.0");
  });
});

describe('shelf pack and push', () => {
  it('packs the same digest twice, the one Shelf stores; push says created, then unchanged, then 409', async () => {
    const dir = await counterItem('cli-pushed');
    const first = await shelfCli(['pack', dir, '-o', path.join(tmp, 'a.tar.gz')]);
    const second = await shelfCli(['pack', dir, '-o', path.join(tmp, 'b.tar.gz')]);
    expect(first.code).toBe(0);
    const digest = first.stdout.trim();
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(second.stdout.trim()).toBe(digest);
    expect(await readFile(path.join(tmp, 'a.tar.gz'))).toEqual(await readFile(path.join(tmp, 'b.tar.gz')));

    const created = await shelfCli(['push', dir]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toBe(`created cli-pushed@1.0.0 sha256:${digest}\n`);
    const versions = await api<{ items: { version: string; digest: string }[] }>('GET', '/api/catalog/cli-pushed/versions');
    expect(versions.body.items).toEqual([expect.objectContaining({ version: '1.0.0', digest })]);

    const again = await shelfCli(['push', path.join(tmp, 'b.tar.gz'), '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ id: 'cli-pushed', version: '1.0.0', digest, status: 'unchanged' });

    await writeFile(path.join(dir, 'main.sh'), 'echo changed\n');
    const conflict = await shelfCli(['push', dir]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toBe('shelf: refused: cli-pushed@1.0.0 already exists with different content; versions are immutable, publish a new version\n');
  });

  it('refuses to push an invalid folder before anything is sent', async () => {
    const dir = await counterItem('cli-invalid-push');
    await rm(path.join(dir, 'schema.json'));
    const run = await shelfCli(['push', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('schema.json: schema.json is missing');
    expect((await api('GET', '/api/catalog/cli-invalid-push/versions')).status).toBe(404);
  });
});

describe('shelf run', () => {
  let published = false;
  async function publishCounter(): Promise<void> {
    if (published) return;
    const push = await shelfCli(['push', await counterItem('cli-counter')]);
    expect(push.code, push.stderr).toBe(0);
    published = true;
  }

  it('--follow prints every line in order, then the outputs, and exits 0', async () => {
    await publishCounter();
    const run = await shelfCli(['run', 'cli-counter', '-i', 'count=25', '--follow']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    const logged = lines.filter((l) => l.startsWith('line '));
    expect(logged).toEqual(Array.from({ length: 25 }, (_, i) => `line ${i + 1} of 25`));
    expect(run.stdout).not.toContain('::progress');
    expect(JSON.parse(lines.slice(lines.indexOf('line 25 of 25') + 1).join('\n'))).toEqual({ counted: 25 });
    expect(run.stderr).toMatch(/✓ job \S+ \(cli-counter@1\.0\.0\) SUCCEEDED/);
  });

  it('a failing job exits 1 with its error', async () => {
    await publishCounter();
    const run = await shelfCli(['run', 'cli-counter@1.0.0', '-i', 'fail=true', '--follow']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the disk is on fire');
    expect(run.stderr).toMatch(/✗ job \S+ \(cli-counter@1\.0\.0\) FAILED: EXIT /);
  });

  it('--wait with inputs from a file prints only the outputs', async () => {
    await publishCounter();
    await writeFile(path.join(tmp, 'inputs.json'), JSON.stringify({ count: 3 }));
    const run = await shelfCli(['run', 'cli-counter', '-f', path.join(tmp, 'inputs.json'), '--wait']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ counted: 3 });
  });

  it('a bad -i is refused with the field and its problem, exit 2', async () => {
    await publishCounter();
    const run = await shelfCli(['run', 'cli-counter', '-i', 'count=many', '-i', 'delay=0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^shelf: cli-counter@1\.0\.0: .*\n/);
    expect(run.stderr).toMatch(/✗ [^\n]*\/count: [^\n]*must be a whole number/);
    const tooMany = await shelfCli(['run', 'cli-counter', '-i', 'count=501']);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/\/count: [^\n]*must be at most 500/);
  });

  it('--follow resumes after a dropped connection with no line lost or repeated', async () => {
    await publishCounter();
    const proxy = await droppingProxy(new URL(shelf.url).port, 5);
    try {
      const run = await shelfCli(['run', 'cli-counter', '-i', 'count=30', '-i', 'delay=0.05', '--follow'], { env: { SHELF_URL: proxy.url } });
      expect(run.code, run.stderr).toBe(0);
      expect(proxy.dropped()).toBe(true);
      expect(run.stdout.split('\n').filter((l) => l.startsWith('line '))).toEqual(Array.from({ length: 30 }, (_, i) => `line ${i + 1} of 30`));
      expect(run.stderr).toContain('connection lost; reconnecting');
    } finally {
      await proxy.close();
    }
  });
});

describe('shelf errors', () => {
  it('a token without the permission gets the server sentence, exit 2', async () => {
    const token = await tokenFor('cli-viewer', 'viewer');
    const xdg = await configHome();
    expect((await shelfCli(['login', '--url', shelf.url, '--token-stdin'], { xdg, stdin: token, env: { SHELF_URL: undefined, SHELF_TOKEN: undefined } })).code).toBe(0);
    const push = await shelfCli(['push', await counterItem('cli-forbidden')], { xdg, env: { SHELF_URL: undefined, SHELF_TOKEN: undefined } });
    expect(push.code).toBe(2);
    expect(push.stderr).toBe('shelf: this needs the publisher role; cli-viewer is a viewer\n');
  });

  it('a server that is down is one sentence, exit 2', async () => {
    const port = await closedPort();
    const run = await shelfCli(['items'], { env: { SHELF_URL: `http://127.0.0.1:${port}` } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`shelf: cannot reach Shelf at http://127.0.0.1:${port}: connection refused; is it running? (check SHELF_URL or \`shelf login\`)\n`);
  });

  it('a usage mistake exits 2 and says how to get help', async () => {
    const run = await shelfCli(['run']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("missing required argument 'item'");
  });
});

describe('shelf reads the catalog and jobs', () => {
  it('items, show (inputs as a table), jobs and completion', async () => {
    const items = await shelfCli(['items']);
    expect(items.code).toBe(0);
    expect(items.stdout).toMatch(/^hello-world\t\S+\t\d+\tHello World\t/m);
    const show = await shelfCli(['show', 'hello-world']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^name\tstring\tyes\t/m);
    const jobs = await shelfCli(['jobs', '--json', '--item', 'hello-world']);
    expect(Array.isArray(JSON.parse(jobs.stdout))).toBe(true);
    const missing = await shelfCli(['show', 'no-such-item']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^shelf: .*no-such-item/);
    const bash = await shelfCli(['completion', 'bash']);
    expect(bash.stdout).toContain('complete -o default -F _shelf_complete shelf');
    expect(bash.stdout).toMatch(/run\)[\s\S]*--input[\s\S]*--follow/);
    expect(execFileSync('bash', ['-n'], { input: bash.stdout }).toString()).toBe('');
    const zsh = await shelfCli(['completion', 'zsh']);
    expect(zsh.stdout).toMatch(/^#compdef shelf/);
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/**
 * A TCP proxy to Shelf that cuts the first WebSocket connection once `afterLogs` log messages
 * have passed through it, mid-stream, the way a flaky network does. Everything else passes.
 */
async function droppingProxy(port: string, afterLogs: number): Promise<{ url: string; dropped: () => boolean; close: () => Promise<void> }> {
  let cut = false;
  let sawSocket = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), '127.0.0.1');
    sockets.add(client).add(upstream);
    let isFirstSocket: boolean | undefined;
    let logs = 0;
    client.once('data', (first: Buffer) => {
      isFirstSocket = !sawSocket && first.toString('latin1').startsWith('GET /ws/jobs');
      if (isFirstSocket) sawSocket = true;
    });
    client.on('data', (d: Buffer) => upstream.write(d));
    upstream.on('data', (d: Buffer) => {
      client.write(d);
      if (!isFirstSocket || cut) return;
      logs += d.toString('latin1').split('"type":"log"').length - 1;
      if (logs >= afterLogs) {
        cut = true;
        client.destroy();
        upstream.destroy();
      }
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port: own } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${own}`,
    dropped: () => cut,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
