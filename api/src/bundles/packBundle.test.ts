import { createHash } from 'node:crypto';
import { chmod, link, mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BundleError, packBundle, walkItemFolder } from '@shelf/contract/itemFolder';
import { extractBundle } from './extractBundle.js';

let tmp: string;
let item: string;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'shelf-pack-'));
  item = path.join(tmp, 'item');
  await put('manifest.yaml', 'id: hello\nversion: 1.0.0\n', 0o664);
  await put('bin/run.sh', '#!/bin/sh\necho hi\n', 0o4775);
  await put('lib/deep/util.py', 'x = 1\n', 0o600);
  await put(`${'long-name/'.repeat(20)}file.txt`, 'needs a pax header', 0o644);
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function put(rel: string, content: string, mode: number): Promise<void> {
  await mkdir(path.dirname(path.join(item, rel)), { recursive: true });
  await writeFile(path.join(item, rel), content);
  await chmod(path.join(item, rel), mode);
}

async function pack(name: string) {
  const out = path.join(tmp, name);
  const result = await packBundle(item, await walkItemFolder(item), out);
  return { ...result, out, bytes: await readFile(out) };
}

async function listArchive(file: string): Promise<tar.ReadEntry[]> {
  const seen: tar.ReadEntry[] = [];
  await tar.t({ file, onReadEntry: (entry) => void seen.push(entry) });
  return seen;
}

describe('packBundle', () => {
  it('gives identical bytes for the same folder packed twice', async () => {
    const first = await pack('one.tar.gz');
    const second = await pack('two.tar.gz');
    expect(second.bytes.equals(first.bytes)).toBe(true);
    expect(second.digest).toBe(first.digest);
    expect(second.contentHash).toBe(first.contentHash);
  });

  it('reports the sha256 and size of the exact bytes written', async () => {
    const packed = await pack('out.tar.gz');
    expect(packed.digest).toMatch(/^[a-f0-9]{64}$/);
    expect(packed.digest).toBe(createHash('sha256').update(packed.bytes).digest('hex'));
    expect(packed.size).toBe(packed.bytes.length);
  });

  it('writes normalised modes, a fixed mtime, uid/gid 0 and no user names', async () => {
    const entries = await listArchive((await pack('out.tar.gz')).out);
    const modes = Object.fromEntries(entries.map((e) => [e.path, e.mode]));
    expect(modes['bin/run.sh']).toBe(0o755);
    expect(modes['manifest.yaml']).toBe(0o644);
    expect(modes['lib/deep/util.py']).toBe(0o644);
    expect(modes['lib/']).toBe(0o755);
    for (const entry of entries) {
      expect(entry.uid ?? 0).toBe(0);
      expect(entry.gid ?? 0).toBe(0);
      expect(entry.uname ?? '').toBe('');
      expect(entry.gname ?? '').toBe('');
      expect(entry.mtime?.getTime() ?? 0).toBe(0);
    }
  });

  it('packs exactly the listed entries, sorted, folders included', async () => {
    const listed = (await walkItemFolder(item)).filter((e) => !e.path.startsWith('long-name'));
    await writeFile(path.join(item, 'not-listed.txt'), 'secret');
    const out = path.join(tmp, 'out.tar.gz');
    await packBundle(item, [...listed].reverse(), out);
    expect((await listArchive(out)).map((e) => e.path)).toEqual([
      'bin/',
      'bin/run.sh',
      'lib/',
      'lib/deep/',
      'lib/deep/util.py',
      'manifest.yaml',
    ]);
  });

  it('keeps digest and contentHash when only timestamps change', async () => {
    const before = await pack('one.tar.gz');
    await utimes(path.join(item, 'manifest.yaml'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const after = await pack('two.tar.gz');
    expect(after.digest).toBe(before.digest);
    expect(after.contentHash).toBe(before.contentHash);
  });

  it('changes contentHash when content or the exec bit changes, not for other mode bits', async () => {
    const base = await pack('base.tar.gz');
    await chmod(path.join(item, 'manifest.yaml'), 0o600);
    expect((await pack('same.tar.gz')).contentHash).toBe(base.contentHash);
    await chmod(path.join(item, 'manifest.yaml'), 0o700);
    const execBit = await pack('exec.tar.gz');
    expect(execBit.contentHash).not.toBe(base.contentHash);
    await chmod(path.join(item, 'manifest.yaml'), 0o644);
    await writeFile(path.join(item, 'manifest.yaml'), 'id: changed\nversion: 1.0.0\n');
    expect((await pack('content.tar.gz')).contentHash).not.toBe(base.contentHash);
  });

  it('round-trips through extractBundle to the same digest and contentHash', async () => {
    const first = await pack('one.tar.gz');
    const unpacked = path.join(tmp, 'unpacked');
    const entries = await extractBundle(first.out, unpacked);
    expect(entries).toEqual(await walkItemFolder(item));
    expect(await walkItemFolder(unpacked)).toEqual(entries);
    const again = await packBundle(unpacked, entries, path.join(tmp, 'again.tar.gz'));
    expect(again).toEqual({ digest: first.digest, contentHash: first.contentHash, size: first.size });
  });

  it('writes hard-linked files as two regular files, which extract cleanly', async () => {
    await link(path.join(item, 'manifest.yaml'), path.join(item, 'copy.yaml'));
    const packed = await pack('out.tar.gz');
    const types = Object.fromEntries((await listArchive(packed.out)).map((e) => [e.path, e.type]));
    expect(types['copy.yaml']).toBe('File');
    expect(types['manifest.yaml']).toBe('File');
    await extractBundle(packed.out, path.join(tmp, 'unpacked'));
  });

  it('refuses a file that became a symlink after the walk, leaving nothing behind', async () => {
    const entries = await walkItemFolder(item);
    await rm(path.join(item, 'manifest.yaml'));
    await symlink('/etc/passwd', path.join(item, 'manifest.yaml'));
    const err: unknown = await packBundle(item, entries, path.join(tmp, 'out.tar.gz')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect((err as Error).message).toMatch(/"manifest\.yaml" changed while it was being packed/);
    expect(await readdir(tmp)).toEqual(['item']);
  });

  it('refuses a file whose size changed after the walk', async () => {
    const entries = await walkItemFolder(item);
    await writeFile(path.join(item, 'manifest.yaml'), 'grown '.repeat(100));
    await expect(packBundle(item, entries, path.join(tmp, 'out.tar.gz'))).rejects.toThrow(/changed while/);
  });

  it('refuses entries that are not normalised item paths', async () => {
    const out = path.join(tmp, 'out.tar.gz');
    await expect(packBundle(item, [{ path: '../etc/passwd', type: 'file', mode: 0o644, size: 1 }], out)).rejects.toThrow(BundleError);
    await expect(packBundle(item, [{ path: './manifest.yaml', type: 'file', mode: 0o644, size: 1 }], out)).rejects.toThrow(/not a normalised item path/);
    expect(await readdir(tmp)).toEqual(['item']);
  });

  it('never overwrites an existing output file', async () => {
    const out = path.join(tmp, 'taken.tar.gz');
    await writeFile(out, 'someone else');
    await expect(packBundle(item, await walkItemFolder(item), out)).rejects.toThrow(/EEXIST/);
    expect(await readFile(out, 'utf8')).toBe('someone else');
  });
});
