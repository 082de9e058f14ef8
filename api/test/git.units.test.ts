import { describe, expect, it } from 'vitest';
import { parseDelivery } from '../src/git/parseDelivery.js';
import { checkTag, GitUrlPolicy, redactUrl } from '../src/git/gitUrlPolicy.js';
import { HostGate, hostOf } from '../src/git/hostGate.js';
import { scrubGitText } from '../src/git/scrubGitText.js';
import { isPublicAddress } from '../src/net/publicAddress.js';
import { detectProvider, verifySignature } from '../src/git/verifySignature.js';
import { deliveryHeaders, githubPush, gitlabTagPush, giteaPush } from './fixtures/git/payloads.js';

const sha = 'a'.repeat(40);

describe('webhook signatures', () => {
  it("accepts GitHub's published test vector", () => {
    const body = Buffer.from('Hello, World!');
    const headers = { 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' };
    expect(() => verifySignature('github', headers, body, "It's a Secret to Everybody")).not.toThrow();
  });

  it('refuses a wrong, short, missing or differently-cased-prefix signature with 401', () => {
    const body = Buffer.from('Hello, World!');
    const s = "It's a Secret to Everybody";
    for (const sig of ['sha256=00', 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18', 'sha1=abc', '', undefined]) {
      const headers: Record<string, string> = { 'x-github-event': 'push' };
      if (sig !== undefined) headers['x-hub-signature-256'] = sig;
      expect(() => verifySignature('github', headers, body, s)).toThrow(expect.objectContaining({ status: 401 }));
    }
  });

  it('checks Gitea/Forgejo bare hex HMACs and the GitLab token', () => {
    const body = '{"ref":"refs/heads/main"}';
    for (const p of ['gitea', 'forgejo', 'gitlab'] as const) {
      const headers = deliveryHeaders(p, body, 's3cret');
      expect(detectProvider(headers)).toBe(p);
      expect(() => verifySignature(p, headers, Buffer.from(body), 's3cret')).not.toThrow();
      expect(() => verifySignature(p, headers, Buffer.from(body), 'other')).toThrow(expect.objectContaining({ status: 401 }));
    }
  });

  it('refuses everything when no secret is configured, naming SHELF_WEBHOOK_SECRET', () => {
    expect(() => verifySignature('github', {}, Buffer.from(''), undefined)).toThrow(/SHELF_WEBHOOK_SECRET/);
    expect(() => verifySignature(undefined, {}, Buffer.from(''), 'x')).toThrow(expect.objectContaining({ status: 401 }));
  });
});

describe('parseDelivery', () => {
  const parse = (provider: 'github' | 'gitlab' | 'gitea' | 'forgejo', payload: unknown, event?: string) => {
    const body = JSON.stringify(payload);
    return parseDelivery(provider, deliveryHeaders(provider, body, 'x', { event, deliveryId: 'd-1' }), Buffer.from(body));
  };

  it('normalises tag pushes of every provider', () => {
    const cloneUrl = 'https://example.com/acme/catalog.git';
    const want = { kind: 'tag-push', deliveryId: 'd-1', cloneUrl, tag: 'hello@1.0.0', commit: sha };
    expect(parse('github', githubPush({ ref: 'refs/tags/hello@1.0.0', after: sha, cloneUrl }))).toEqual({ ...want, provider: 'github' });
    expect(parse('gitlab', gitlabTagPush({ ref: 'refs/tags/hello@1.0.0', after: sha, cloneUrl }))).toEqual({ ...want, provider: 'gitlab' });
    expect(parse('gitea', giteaPush({ ref: 'refs/tags/hello@1.0.0', after: sha, cloneUrl }))).toEqual({ ...want, provider: 'gitea' });
    expect(parse('forgejo', giteaPush({ ref: 'refs/tags/hello@1.0.0', after: sha, cloneUrl }))).toEqual({ ...want, provider: 'forgejo' });
  });

  it('ignores pings, branch pushes, tag deletions and other events', () => {
    const cloneUrl = 'https://example.com/a.git';
    expect(parse('github', { zen: 'hi', hook_id: 1 }, 'ping')).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/^pong/) });
    expect(parse('github', githubPush({ ref: 'refs/heads/main', after: sha, cloneUrl }))).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/branch/) });
    expect(parse('github', githubPush({ ref: 'refs/tags/hello@1.0.0', after: '0'.repeat(40), cloneUrl }))).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/deleted/) });
    expect(parse('gitlab', gitlabTagPush({ ref: 'refs/tags/hello@1.0.0', after: '0'.repeat(40), cloneUrl }))).toMatchObject({ kind: 'ignored' });
    expect(parse('gitlab', { object_kind: 'push' }, 'Push Hook')).toMatchObject({ kind: 'ignored' });
    expect(parse('github', {}, 'issues')).toMatchObject({ kind: 'ignored' });
    expect(parse('gitea', {}, 'create')).toMatchObject({ kind: 'ignored' });
  });

  it('refuses malformed payloads with 400', () => {
    expect(() => parseDelivery('github', { 'x-github-event': 'push' }, Buffer.from('{not json'))).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => parse('github', { ref: 'refs/tags/x@1.0.0', after: 'nothex', repository: {} })).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => parse('gitlab', { object_kind: 'tag_push', ref: 'refs/tags/x', after: sha })).toThrow(expect.objectContaining({ status: 400 }));
  });

  it("reads GitHub's form-encoded payloads", () => {
    const json = JSON.stringify(githubPush({ ref: 'refs/tags/hello@1.0.0', after: sha, cloneUrl: 'https://example.com/a.git' }));
    const body = Buffer.from(`payload=${encodeURIComponent(json)}`);
    const d = parseDelivery('github', { 'x-github-event': 'push', 'content-type': 'application/x-www-form-urlencoded' }, body);
    expect(d).toMatchObject({ kind: 'tag-push', tag: 'hello@1.0.0' });
  });
});

describe('git URL policy', () => {
  const noDns = async () => {
    throw new Error('no DNS lookups in this test');
  };
  const policy = (allow: string[] = [], lookup: (h: string) => Promise<{ address: string; family: number }[]> = noDns) => new GitUrlPolicy({ allow, lookup });

  it.each([
    ['ext::sh -c touch% /tmp/pwned'],
    ['--upload-pack=touch /tmp/x'],
    ['-uhttps://example.com/a.git'],
    ['fd::17'],
    ['http://127.0.0.1/'],
    ['http://169.254.169.254/latest/meta-data/'],
    ['https://10.0.0.1/'],
    ['https://127.0.0.1/a.git'],
    ['https://0x7f000001/a.git'],
    ['https://2130706433/a.git'],
    ['https://0177.0.0.1/a.git'],
    ['https://0251.0376.0251.0376/a.git'],
    ['https://[::1]/a.git'],
    ['https://[::ffff:127.0.0.1]/a.git'],
    ['https://[::ffff:a9fe:a9fe]/a.git'],
    ['https://[fd00:ec2::254]/a.git'],
    ['https://[fe80::1]/a.git'],
    ['https://100.64.0.1/a.git'],
    ['https://user:token@example.com/a.git'],
    ['ssh://git@example.com/a.git'],
    ['git@example.com:acme/a.git'],
    ['git://example.com/a.git'],
    ['file:///etc/'],
    ['/srv/git/a.git'],
    ['https://example.com/a b.git'],
  ])('refuses %s with 403 without any lookup', async (url) => {
    await expect(policy().check(url)).rejects.toMatchObject({ status: 403 });
  });

  it('refuses hosts that resolve to a private address, and pins the public ones it accepts', async () => {
    const lookup = async (host: string) =>
      host === 'internal.example.com'
        ? [{ address: '203.0.113.9', family: 4 }, { address: '10.1.1.1', family: 4 }]
        : [{ address: '140.82.121.4', family: 4 }, { address: '2606:50c0:8000::153', family: 6 }];
    await expect(policy([], lookup).check('https://internal.example.com/a.git')).rejects.toThrow(/not a public address/);
    await expect(policy([], lookup).check('https://github.com/acme/catalog.git')).resolves.toEqual({
      url: 'https://github.com/acme/catalog.git',
      protocol: 'https',
      resolve: 'github.com:443:140.82.121.4,[2606:50c0:8000::153]',
    });
  });

  it('allows SHELF_GIT_ALLOW prefixes by scheme, host, port and whole path segments', async () => {
    const p = policy(['file:///srv/git/', 'http://127.0.0.1:9418/team', 'git@git.internal:acme/']);
    await expect(p.check('file:///srv/git/a.git')).resolves.toMatchObject({ protocol: 'file' });
    await expect(p.check('http://127.0.0.1:9418/team/a.git')).resolves.toMatchObject({ protocol: 'http' });
    await expect(p.check('git@git.internal:acme/a.git')).resolves.toMatchObject({ protocol: 'ssh' });
    for (const bad of [
      'file:///srv/gitx/a.git',
      'file:///srv/git/../../etc/a.git',
      'file:///srv/git/a%2f..%2f..%2fetc',
      'http://127.0.0.1:9418/teamx/a.git',
      'http://127.0.0.1:9419/team/a.git',
      'http://127.0.0.1:9418@evil.example/team/a.git',
      'git@git.internal:other/a.git',
    ]) {
      await expect(p.check(bad), bad).rejects.toMatchObject({ status: 403 });
    }
  });

  it('takes credentials only from the allow entry and never returns them in the URL', async () => {
    const p = policy(['https://bot:s3cret@git.internal/']);
    const checked = await p.check('https://git.internal/acme/a.git');
    expect(checked.url).toBe('https://git.internal/acme/a.git');
    expect(checked.authorization).toBe(`Basic ${Buffer.from('bot:s3cret').toString('base64')}`);
    await expect(p.check('https://bot:s3cret@git.internal/acme/a.git')).resolves.toMatchObject({ url: 'https://git.internal/acme/a.git' });
    const refused = p.check('https://bot:guess@git.internal/acme/a.git');
    await expect(refused).rejects.toMatchObject({ status: 403 });
    await expect(refused).rejects.not.toThrow(/guess/);
  });

  it('redacts credentials for logs and records', () => {
    expect(redactUrl('https://bot:s3cret@git.internal/a.git')).toBe('https://git.internal/a.git');
    expect(redactUrl('weird://bot:s3cret@[bad')).not.toContain('s3cret');
  });

  it('accepts only plain tag names', () => {
    expect(checkTag('hello@1.0.0')).toBe('hello@1.0.0');
    expect(checkTag('refs/tags/hello@1.0.0-rc.1+build.5')).toBe('hello@1.0.0-rc.1+build.5');
    for (const bad of ['--upload-pack=touch /tmp/x', '-x', 'a..b', 'a b', 'a;b', 'a/.b', 'x.lock', 'a//b', 'a/', '', 'a@{1}', '$(id)']) {
      expect(() => checkTag(bad), bad).toThrow(expect.objectContaining({ status: 403 }));
    }
  });

  it('knows public from private addresses, IPv4 and IPv6', () => {
    for (const a of ['8.8.8.8', '140.82.121.4', '::ffff:8.8.8.8', '2606:4700::1111', '64:ff9b::808:808']) expect(isPublicAddress(a), a).toBe(true);
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', 'fc00::1', 'fd00:ec2::254', 'fe80::1', 'ff02::1', '2001:db8::1', '2002:a00:1::1', '64:ff9b::a00:1']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });
});

describe('host gate', () => {
  const gate = () => new HostGate({ perHost: 2, backoffMs: 1000, maxBackoffMs: 3000, busyRetryMs: 100 });
  const admitted = (a: ReturnType<HostGate['enter']>) => ('pass' in a ? a.pass : expect.unreachable(`not admitted: ${a.reason}`));

  it("admits a host's share at once, sets the next aside without touching other hosts, and frees the share on release", () => {
    const g = gate();
    const first = admitted(g.enter('a.example', 0));
    admitted(g.enter('a.example', 0));
    expect(g.enter('a.example', 0)).toEqual({ waitUntil: 100, reason: 'waiting for another sync of a.example to finish: a.example may have 2 at a time' });
    admitted(g.enter('b.example', 0));
    first.release('answered');
    first.release('answered');
    admitted(g.enter('a.example', 0));
    expect(g.enter('a.example', 0)).toMatchObject({ waitUntil: 100 });
  });

  it('leaves a host that timed out alone for a doubling pause, then lets one sync at a time try it until it answers', () => {
    const g = gate();
    const t0 = Date.now();
    admitted(g.enter('slow.example', t0)).release({ timedOut: 'git fetch: https://slow.example/r.git did not answer within 60 s' });
    const waiting = g.enter('slow.example', t0 + 10);
    expect(waiting).toMatchObject({ reason: expect.stringMatching(/^waiting until \S+Z: slow\.example timed out last time \(git fetch: .* did not answer within 60 s\)$/) });
    expect('waitUntil' in waiting && waiting.waitUntil - t0).toBeGreaterThanOrEqual(1000);

    const later = t0 + 5000;
    const probe = admitted(g.enter('slow.example', later));
    expect(g.enter('slow.example', later)).toMatchObject({ reason: expect.stringMatching(/tried by one sync at a time until it answers/) });
    probe.release({ timedOut: 'again' });
    const second = g.enter('slow.example', Date.now());
    expect('waitUntil' in second && second.waitUntil - Date.now()).toBeGreaterThan(1500);

    // A sync that never reached the host tells nothing; one that got any answer clears the record.
    admitted(g.enter('slow.example', Date.now() + 10_000)).release('untried');
    expect(g.enter('slow.example', Date.now())).toHaveProperty('waitUntil');
    admitted(g.enter('slow.example', Date.now() + 10_000)).release('answered');
    admitted(g.enter('slow.example', Date.now()));
    admitted(g.enter('slow.example', Date.now()));
  });

  it('counts a host by host and port, scp-like addresses by host, and file:// as one local host', () => {
    expect(hostOf('https://git.example.com/acme/catalog.git')).toBe('git.example.com');
    expect(hostOf('http://127.0.0.1:8080/a.git')).toBe('127.0.0.1:8080');
    expect(hostOf('git@git.example.com:acme/catalog.git')).toBe('git.example.com');
    expect(hostOf('file:///srv/git/a.git')).toBe(hostOf('file:///srv/other/b.git'));
  });
});

describe('git messages', () => {
  const mirror = `/srv/shelf data/bundles/.git-cache/${'ab'.repeat(32)}.git`;
  const home = '/tmp/shelf-git-home-Ab12Cd';

  it("replaces this host's folders with what they are, given or recognised by name", () => {
    const text = `error: cannot lock ref 'refs/tags/x@1.0.0': Unable to create '${mirror}/refs/tags/x@1.0.0.lock': File exists.\nwarning: unable to access '${home}/.config/git/attributes'`;
    expect(scrubGitText(text, { mirror, home })).toBe(
      "error: cannot lock ref 'refs/tags/x@1.0.0': Unable to create '<mirror>/refs/tags/x@1.0.0.lock': File exists. warning: unable to access '~/.config/git/attributes'",
    );
    expect(scrubGitText(`fatal: not a git repository: '/var/lib/shelf/bundles/.git-cache/${'cd'.repeat(32)}.git'`)).toBe("fatal: not a git repository: '<mirror>'");
    expect(scrubGitText('ENOENT: no such file or directory, open \'/b/.tmp/0f8e1a4c-9b7d-4c1e-8a2f-3d5e6f708192-git/manifest.yaml\'')).toBe(
      "ENOENT: no such file or directory, open '<item folder>/manifest.yaml'",
    );
    expect(scrubGitText(`mkdir ${home}: no space`)).toBe('mkdir ~: no space');
    expect(scrubGitText('could not read /srv/bundles/.git-cache/tmp_objdir', { cacheDir: '/srv/bundles/.git-cache' })).toBe('could not read <git cache>/tmp_objdir');
  });

  it("keeps the repository's own URL, without credentials", () => {
    expect(scrubGitText("fatal: unable to access 'https://bot:s3cret@git.example.com/a.git/': Could not resolve host")).toBe(
      "fatal: unable to access 'https://git.example.com/a.git/': Could not resolve host",
    );
  });
});
