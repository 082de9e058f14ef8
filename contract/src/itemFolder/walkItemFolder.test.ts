import { execFileSync } from 'node:child_process';
import { chmod, link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BundleError } from './bundleError.js';
import type { BundleLimits } from './bundleLimits.js';
import { walkItemFolder } from './walkItemFolder.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'shelf-walk-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(rel: string, content = 'x', mode = 0o644): Promise<void> {
  await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
  await writeFile(path.join(dir, rel), content);
  await chmod(path.join(dir, rel), mode);
}

async function expectRefused(message: RegExp, limits?: BundleLimits): Promise<void> {
  const err: unknown = await walkItemFolder(dir, limits).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BundleError);
  expect((err as Error).message).toMatch(message);
}

describe('walkItemFolder', () => {
  it('lists files and folders sorted by path, with normalised modes', async () => {
    await put('manifest.yaml', 'id: x\n', 0o664);
    await put('bin/run.sh', '#!/bin/sh\n', 0o4775);
    await put('lib/a.py', 'a = 1\n', 0o600);
    await chmod(path.join(dir, 'lib'), 0o777);
    expect(await walkItemFolder(dir)).toEqual([
      { path: 'bin', type: 'dir', mode: 0o755, size: 0 },
      { path: 'bin/run.sh', type: 'file', mode: 0o755, size: 10 },
      { path: 'lib', type: 'dir', mode: 0o755, size: 0 },
      { path: 'lib/a.py', type: 'file', mode: 0o644, size: 6 },
      { path: 'manifest.yaml', type: 'file', mode: 0o644, size: 6 },
    ]);
  });

  it('skips .git at any depth, folder or file', async () => {
    await put('.git/config');
    await put('vendor/lib/.git/HEAD');
    await put('submodule/.git', 'gitdir: ../.git/modules/x');
    await put('submodule/a.txt');
    expect((await walkItemFolder(dir)).map((e) => e.path)).toEqual([
      'submodule',
      'submodule/a.txt',
      'vendor',
      'vendor/lib',
    ]);
  });

  it('treats hard-linked files as plain files', async () => {
    await put('a.txt', 'same');
    await link(path.join(dir, 'a.txt'), path.join(dir, 'b.txt'));
    expect((await walkItemFolder(dir)).map((e) => [e.path, e.type])).toEqual([
      ['a.txt', 'file'],
      ['b.txt', 'file'],
    ]);
  });

  it('refuses a symlink, naming it', async () => {
    await put('sub/a.txt');
    await symlink('/etc/passwd', path.join(dir, 'sub', 'passwd'));
    await expectRefused(/"sub\/passwd" is a symbolic link/);
  });

  it('refuses a symlink to a folder inside the item', async () => {
    await put('real/a.txt');
    await symlink('real', path.join(dir, 'alias'));
    await expectRefused(/"alias" is a symbolic link/);
  });

  it('refuses a FIFO', async () => {
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    await expectRefused(/"pipe" is a FIFO/);
  });

  it('refuses a socket', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(dir, 'sock'), resolve));
    try {
      await expectRefused(/"sock" is a socket/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a character device (when this user may create one)', async (ctx) => {
    try {
      execFileSync('mknod', [path.join(dir, 'null'), 'c', '1', '3'], { stdio: 'ignore' });
    } catch {
      ctx.skip();
    }
    await expectRefused(/"null" is a character device/);
  });

  it('refuses a folder deeper than 32 components', async () => {
    await put(`${Array(32).fill('d').join('/')}/too-deep.txt`);
    await expectRefused(/deeper than 32 path components/);
  });

  it('accepts exactly 32 components', async () => {
    await put(`${Array(31).fill('d').join('/')}/ok.txt`);
    expect(await walkItemFolder(dir)).toHaveLength(32);
  });

  it('refuses more entries than the cap, folders counted', async () => {
    const limits = { maxEntries: 3, maxDepth: 32, maxUnpackedBytes: 1e9, maxRatio: 100, ratioFloorBytes: 1e6 };
    await put('a/b.txt');
    await put('c.txt');
    expect(await walkItemFolder(dir, limits)).toHaveLength(3);
    await put('d.txt');
    await expectRefused(/more than 3 entries/, limits);
  });

  it('refuses more bytes than the cap', async () => {
    const limits = { maxEntries: 100, maxDepth: 32, maxUnpackedBytes: 1000, maxRatio: 100, ratioFloorBytes: 1e6 };
    await put('a.bin', 'x'.repeat(600));
    await put('b.bin', 'x'.repeat(600));
    await expectRefused(/holds more than 1000 bytes/, limits);
  });

  it('refuses names equal after case folding', async () => {
    await put('README.md');
    await put('readme.md');
    await expectRefused(/"README\.md" and "readme\.md"/);
  });

  it('refuses NFC and NFD forms of one name', async () => {
    await put('caf\u00e9.txt');
    await put('cafe\u0301.txt');
    await expectRefused(/same name after Unicode and case folding/);
  });

  it('refuses backslashes and control characters in names', async () => {
    await put('a\\b.txt');
    await expectRefused(/backslash/);
    await rm(path.join(dir, 'a\\b.txt'));
    await put('bell\u0007.txt');
    await expectRefused(/control character/);
  });
});
