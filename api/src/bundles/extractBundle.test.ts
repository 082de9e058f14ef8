import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGzip, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as tar from 'tar';
import { BundleError, checkEntryPath, DuplicateGuard, isGitPath, normaliseMode } from '@shelf/contract/itemFolder';
import { toAppError } from '../errors.js';
import { extractBundle } from './extractBundle.js';

// --- a tiny tar writer, so the tests can write what no honest tool would ---

interface Raw {
  path: string;
  type?: tar.HeaderData['type'];
  mode?: number;
  body?: string | Buffer;
  /** Declared size, when the body is streamed separately. */
  size?: number;
  linkpath?: string;
  /** Raw bytes for the 12-byte size field, for values tar.Header will not write. */
  sizeField?: Buffer;
}

function header(entry: Raw): Buffer {
  const size = entry.size ?? Buffer.byteLength(entry.body ?? '');
  const data = { path: entry.path, mode: entry.mode ?? 0o644, size, type: entry.type ?? 'File', linkpath: entry.linkpath, mtime: new Date(0) };
  const head = new tar.Header(data);
  // Names past ustar's 255 bytes go in a pax header first, as real tars do.
  const pax = head.encode() ? new tar.Pax({ path: entry.path, linkpath: entry.linkpath }).encode() : Buffer.alloc(0);
  if (entry.sizeField) withField(head.block!, 124, entry.sizeField);
  return Buffer.concat([pax, head.block!]);
}

/** Overwrites one field of a header block and re-signs it, so only that field is wrong. */
function withField(block: Buffer, offset: number, bytes: Buffer): void {
  bytes.copy(block, offset);
  block.fill(' ', 148, 156);
  const sum = block.reduce((a, b) => a + b, 0);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
}

/** One pax record, its length prefix counting itself, as POSIX defines it. */
function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(rest) + 1;
  while (String(length).length + Buffer.byteLength(rest) !== length) length++;
  return `${length}${rest}`;
}

function padding(size: number): Buffer {
  return Buffer.alloc((512 - (size % 512)) % 512);
}

function tarBytes(entries: Raw[], { endMarker = true } = {}): Buffer {
  const parts = entries.flatMap((e) => {
    const body = Buffer.from(e.body ?? '');
    return [header(e), body, padding(body.length)];
  });
  return Buffer.concat([...parts, endMarker ? Buffer.alloc(1024) : Buffer.alloc(0)]);
}

/**
 * Headers of `count` empty files, 1,000 per chunk. tar.Header takes seconds for
 * 200,000, so one template is patched (name + checksum). Random name parts keep
 * the archive only ~20:1 compressible, so the entry cap, not the ratio, trips.
 */
function* emptyFiles(count: number): Generator<Buffer> {
  const name = (n: number, salt: string) => `f/${String(n).padStart(6, '0')}-${salt}`;
  const template = header({ path: name(0, '0'.repeat(16)) });
  // The checksum is a plain byte sum (checksum field as spaces): everything but the name is fixed.
  template.fill(0, 0, 100);
  template.fill(' ', 148, 156);
  const fixedSum = template.reduce((a, b) => a + b, 0);
  for (let start = 0; start < count; start += 1000) {
    const chunk = Buffer.alloc(512 * Math.min(1000, count - start));
    const salt = randomBytes(8 * 1000).toString('hex');
    for (let i = 0; i * 512 < chunk.length; i++) {
      const block = chunk.subarray(i * 512, i * 512 + 512);
      template.copy(block);
      const written = block.write(name(start + i, salt.slice(i * 16, i * 16 + 16)), 0, 'latin1');
      const sum = block.subarray(0, written).reduce((a, b) => a + b, fixedSum);
      block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    }
    yield chunk;
  }
  yield Buffer.alloc(1024);
}

let tmp: string;
let archive: string;
let dest: string;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'shelf-extract-'));
  archive = path.join(tmp, 'bundle.tgz');
  dest = path.join(tmp, 'out');
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function writeBundle(entries: Raw[]): Promise<void> {
  await writeFile(archive, gzipSync(tarBytes(entries)));
}

/** Extracts `archive` expecting a refusal; checks that nothing is left behind. */
async function expectRefused(message: RegExp): Promise<BundleError> {
  const err: unknown = await extractBundle(archive, dest).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BundleError);
  expect(toAppError(err)?.status).toBe(422);
  expect((err as BundleError).message).toMatch(message);
  expect(existsSync(dest)).toBe(false);
  expect(await readdir(tmp)).toEqual(['bundle.tgz']);
  return err as BundleError;
}

async function modeOf(rel: string): Promise<number> {
  return (await stat(path.join(dest, rel))).mode & 0o7777;
}

describe('extractBundle: happy paths', () => {
  it('extracts a normal item with its files, folders and normalised modes', async () => {
    await writeBundle([
      { path: 'manifest.yaml', body: 'id: hello\n', mode: 0o664 },
      { path: 'bin/', type: 'Directory', mode: 0o775 },
      { path: 'bin/run.sh', body: '#!/bin/sh\necho hi\n', mode: 0o775 },
      { path: 'lib/deep/util.py', body: 'x = 1\n' }, // parents only implied
    ]);
    const entries = await extractBundle(archive, dest);
    expect(entries).toEqual([
      { path: 'bin', type: 'dir', mode: 0o755, size: 0 },
      { path: 'bin/run.sh', type: 'file', mode: 0o755, size: 18 },
      { path: 'lib', type: 'dir', mode: 0o755, size: 0 },
      { path: 'lib/deep', type: 'dir', mode: 0o755, size: 0 },
      { path: 'lib/deep/util.py', type: 'file', mode: 0o644, size: 6 },
      { path: 'manifest.yaml', type: 'file', mode: 0o644, size: 10 },
    ]);
    expect(await readFile(path.join(dest, 'bin/run.sh'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(await modeOf('bin/run.sh')).toBe(0o755);
    expect(await modeOf('manifest.yaml')).toBe(0o644);
    expect(await modeOf('lib/deep')).toBe(0o755);
  });

  it('extracts what tar.c writes, including the ./ root entry', async () => {
    const src = path.join(tmp, 'src');
    await mkdir(path.join(src, 'sub'), { recursive: true });
    await writeFile(path.join(src, 'a.txt'), 'A');
    await writeFile(path.join(src, 'sub', 'b.txt'), 'B'.repeat(70_000));
    await tar.c({ gzip: true, file: archive, cwd: src }, ['.']);
    await rm(src, { recursive: true });
    const entries = await extractBundle(archive, dest);
    expect(entries.map((e) => e.path)).toEqual(['a.txt', 'sub', 'sub/b.txt']);
    expect(await readFile(path.join(dest, 'sub/b.txt'), 'utf8')).toHaveLength(70_000);
  });

  it('extracts what GNU tar and git archive write (GNU long names, pax global headers)', async (ctx) => {
    const src = path.join(tmp, 'src');
    const longName = `${'very-long-folder-name/'.repeat(8)}file.txt`;
    await mkdir(path.dirname(path.join(src, longName)), { recursive: true });
    await writeFile(path.join(src, longName), 'deep');
    await writeFile(path.join(src, 'run.sh'), 'echo hi', { mode: 0o755 });
    const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: src, stdio: 'pipe' });
    try {
      run('tar', ['--format=gnu', '-czf', archive, '.']);
    } catch {
      return ctx.skip();
    }
    expect((await extractBundle(archive, dest)).map((e) => e.path)).toContain(longName);
    await rm(dest, { recursive: true });
    await rm(archive);
    try {
      run('git', ['init', '-q']);
      run('git', ['add', '.']);
      run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'x']);
      run('git', ['archive', '--format=tar.gz', '-o', archive, 'HEAD']);
    } catch {
      return ctx.skip();
    }
    const entries = await extractBundle(archive, dest);
    expect(entries.find((e) => e.path === 'run.sh')?.mode).toBe(0o755);
    expect(entries.map((e) => e.path)).toContain(longName);
  });

  it('reads sizes as real tars write them: padded octal, unterminated octal, base-256', async () => {
    const base256 = Buffer.from([0x80, ...Array<number>(10).fill(0), 4]);
    await writeBundle([
      { path: 'spaces.txt', body: 'ab', sizeField: Buffer.from('          2 ') },
      { path: 'full.txt', body: 'abc', sizeField: Buffer.from('000000000003') },
      { path: 'big.txt', body: 'abcd', sizeField: base256 },
    ]);
    expect((await extractBundle(archive, dest)).map((e) => [e.path, e.size])).toEqual([
      ['big.txt', 4],
      ['full.txt', 3],
      ['spaces.txt', 2],
    ]);
  });

  it('applies well-formed pax records, multi-byte and "=" in values included', async () => {
    const body = paxRecord('path', 'dir/caf\u00e9=1.txt') + paxRecord('mtime', '1700000000.5');
    await writeBundle([{ path: 'PaxHeader/x', type: 'ExtendedHeader', body }, { path: 'short-name', body: 'x' }]);
    expect((await extractBundle(archive, dest)).map((e) => e.path)).toEqual(['dir', 'dir/caf\u00e9=1.txt']);
  });

  it('normalises setuid, setgid, sticky and world-writable modes', async () => {
    await writeBundle([
      { path: 'suid', body: 'x', mode: 0o4755 },
      { path: 'sgid-writable', body: 'x', mode: 0o2777 },
      { path: 'world-writable', body: 'x', mode: 0o666 },
      { path: 'sticky/', type: 'Directory', mode: 0o1777 },
    ]);
    const entries = await extractBundle(archive, dest);
    expect(Object.fromEntries(entries.map((e) => [e.path, e.mode]))).toEqual({
      suid: 0o755,
      'sgid-writable': 0o755,
      'world-writable': 0o644,
      sticky: 0o755,
    });
    expect(await modeOf('suid')).toBe(0o755);
    expect(await modeOf('sgid-writable')).toBe(0o755);
    expect(await modeOf('world-writable')).toBe(0o644);
    expect(await modeOf('sticky')).toBe(0o755);
  });

  it('skips .git folders at any depth', async () => {
    await writeBundle([
      { path: '.git/', type: 'Directory' },
      { path: '.git/config', body: '[core]' },
      { path: '.git/hooks/evil', type: 'SymbolicLink', linkpath: '/etc/passwd' },
      { path: 'sub/.git/HEAD', body: 'ref: x' },
      { path: 'sub/a.txt', body: 'a' },
    ]);
    const entries = await extractBundle(archive, dest);
    expect(entries.map((e) => e.path)).toEqual(['sub', 'sub/a.txt']);
    expect(existsSync(path.join(dest, '.git'))).toBe(false);
    expect(existsSync(path.join(dest, 'sub/.git'))).toBe(false);
  });
});

describe('extractBundle: refusals', () => {
  it('refuses an absolute path', async () => {
    const outside = path.join(os.tmpdir(), `shelf-evil-${randomBytes(6).toString('hex')}`);
    await writeBundle([{ path: outside, body: 'pwned' }]);
    await expectRefused(/absolute path/);
    expect(existsSync(outside)).toBe(false);
  });

  it.each(['../evil.txt', 'a/../../evil.txt', 'a/../b.txt'])('refuses ".." in %s', async (name) => {
    await writeBundle([{ path: 'a/', type: 'Directory' }, { path: name, body: 'pwned' }]);
    await expectRefused(/"\.\." component/);
  });

  it('refuses a symlink, so nothing can be written through it', async () => {
    const outside = path.join(tmp, 'outside');
    await writeBundle([
      { path: 'link', type: 'SymbolicLink', linkpath: outside },
      { path: 'link/pwned.txt', body: 'pwned' },
    ]);
    const err = await expectRefused(/"link" is a symbolic link/);
    expect(err.entry).toBe('link');
  });

  it('refuses a hard link to /etc/passwd', async () => {
    await writeBundle([{ path: 'passwd', type: 'Link', linkpath: '/etc/passwd' }]);
    await expectRefused(/"passwd" is a hard link/);
  });

  it('refuses a character device', async () => {
    await writeBundle([{ path: 'dev-null', type: 'CharacterDevice' }]);
    await expectRefused(/"dev-null" is a character device/);
  });

  it('refuses a block device', async () => {
    await writeBundle([{ path: 'sda', type: 'BlockDevice' }]);
    await expectRefused(/"sda" is a block device/);
  });

  it('refuses a FIFO', async () => {
    await writeBundle([{ path: 'ok.txt', body: 'fine' }, { path: 'pipe', type: 'FIFO' }]);
    await expectRefused(/"pipe" is a FIFO/);
  });

  it('refuses entry types tar would skip silently', async () => {
    await writeBundle([{ path: 'sparse', type: 'SparseFile' }]);
    await expectRefused(/unsupported SparseFile entry/);
  });

  it('refuses 5,000-deep folders (depth cap)', async () => {
    await writeBundle([{ path: `${Array(5000).fill('d').join('/')}/`, type: 'Directory' }]);
    await expectRefused(/deeper than 32 path components/);
  });

  it('refuses a depth of 33 but accepts 32', async () => {
    await writeBundle([{ path: Array(32).fill('d').join('/'), body: 'ok' }]);
    expect(await extractBundle(archive, dest)).toHaveLength(32);
    await rm(dest, { recursive: true });
    await writeBundle([{ path: Array(33).fill('d').join('/'), body: 'too deep' }]);
    await expectRefused(/deeper than 32/);
  });

  it('refuses 200,000 entries (entry cap) without reading them all', async () => {
    await pipeline(Readable.from(emptyFiles(200_000)), createGzip({ level: 1 }), createWriteStream(archive));
    const started = Date.now();
    await expectRefused(/more than 5000 entries/);
    // The first 5,000 are real files on disk, so this is disk-bound (~1 ms a file
    // on slow disks); going on to all 200,000 would take minutes.
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('refuses a gzip bomb (GBs of zeros in one file) quickly', async () => {
    // 2 GiB of zeros: gzip members of 64 MiB each, concatenated (valid gzip,
    // decoded as one stream), so the test does not spend seconds compressing.
    const zeros = gzipSync(Buffer.alloc(64 * 1024 * 1024), { strategy: zlibConstants.Z_RLE });
    const size = 2 * 1024 * 1024 * 1024;
    const parts = [gzipSync(header({ path: 'bomb.bin', size })), ...Array<Buffer>(32).fill(zeros), gzipSync(Buffer.alloc(1024))];
    await writeFile(archive, Buffer.concat(parts));
    expect((await stat(archive)).size).toBeLessThan(4 * 1024 * 1024);
    const started = Date.now();
    await expectRefused(/unpacks to more than 200 MiB/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a compression ratio over 100:1 once past 1 MiB', async () => {
    const size = 150 * 1024 * 1024; // under the size cap: only the ratio can stop it
    const body = Buffer.alloc(size);
    const tarball = Buffer.concat([header({ path: 'zeros.bin', size }), body, Buffer.alloc(1024)]);
    await writeFile(archive, gzipSync(tarball, { strategy: zlibConstants.Z_RLE }));
    const started = Date.now();
    await expectRefused(/compression ratio is over 100:1/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses more unpacked bytes than the cap while streaming', async () => {
    const limits = { maxEntries: 100, maxDepth: 8, maxUnpackedBytes: 1024 * 1024, maxRatio: 100, ratioFloorBytes: 1024 };
    // Two files each under the cap, so only the running total trips it.
    const body = randomBytes(700 * 1024);
    await writeBundle([{ path: 'a.bin', body }, { path: 'b.bin', body }]);
    const err: unknown = await extractBundle(archive, dest, limits).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect((err as Error).message).toMatch(/unpacks to more than 1 MiB/);
    expect(existsSync(dest)).toBe(false);
  });

  it('refuses a truncated tar', async () => {
    const whole = tarBytes([{ path: 'a.txt', body: 'a' }, { path: 'big.bin', body: randomBytes(10_000) }]);
    await writeFile(archive, gzipSync(whole.subarray(0, 3000)));
    await expectRefused(/corrupt or truncated: .*Truncated input/);
  });

  it('refuses a tar cut at a block boundary (no end marker)', async () => {
    await writeFile(archive, gzipSync(tarBytes([{ path: 'a.txt', body: 'a' }], { endMarker: false })));
    await expectRefused(/corrupt or truncated: the end-of-archive marker is missing/);
  });

  it('refuses a tar header with a bad checksum', async () => {
    const bytes = tarBytes([{ path: 'a.txt', body: 'a' }]);
    bytes[0] = 'b'.charCodeAt(0);
    await writeFile(archive, gzipSync(bytes));
    await expectRefused(/corrupt or truncated: .*checksum/);
  });

  it('refuses a corrupt gzip stream', async () => {
    const good = gzipSync(tarBytes([{ path: 'a.bin', body: randomBytes(4096) }]));
    for (let i = 100; i < 200; i++) good[i] = good[i]! ^ 0xff;
    await writeFile(archive, good);
    await expectRefused(/corrupt or truncated/);
  });

  it('refuses a truncated gzip stream', async () => {
    const good = gzipSync(tarBytes([{ path: 'a.bin', body: randomBytes(4096) }]));
    await writeFile(archive, good.subarray(0, good.length - 100));
    await expectRefused(/corrupt or truncated: unexpected end of file/);
  });

  it('refuses a file that is not gzip at all', async () => {
    await writeFile(archive, tarBytes([{ path: 'a.txt', body: 'a' }]));
    await expectRefused(/corrupt or truncated/);
  });

  it('refuses a second gzip layer, which would slip past the meter', async () => {
    await writeFile(archive, gzipSync(gzipSync(tarBytes([{ path: 'a.txt', body: 'a' }]))));
    await expectRefused(/second compressed layer/);
  });

  it('refuses a negative size (base-256 -1), which tar would read as an empty file', async () => {
    await writeBundle([{ path: 'ok.txt', body: 'fine' }, { path: 'neg.bin', sizeField: Buffer.alloc(12, 0xff) }]);
    await expectRefused(/corrupt or truncated: the header of "neg\.bin" has a negative size/);
  });

  it.each([
    ['trailing garbage', Buffer.from('0000000001x\0')],
    ['no digits at all', Buffer.from('zzzzzzzzzzz\0')],
    ['an empty field', Buffer.alloc(12)],
    ['a sign', Buffer.from('-0000000001\0')],
    ['an invalid base-256 marker', Buffer.from([0x81, ...Array<number>(11).fill(0)])],
  ])('refuses a size field with %s', async (_name, sizeField) => {
    await writeBundle([{ path: 'bad.bin', sizeField }]);
    await expectRefused(/corrupt or truncated: the header of "bad\.bin" has a size field that is not a number/);
  });

  it('refuses a pax record whose declared length is wrong', async () => {
    await writeBundle([{ path: 'PaxHeader/foo', type: 'ExtendedHeader', body: '30 path=foo\n' }, { path: 'foo.txt', body: 'x' }]);
    await expectRefused(/corrupt or truncated: pax header record "30 path=foo" declares 30 bytes but has 12/);
  });

  it.each([
    ['too short a length', '11 path=foo\n', /declares 11 bytes but has 12/],
    ['no length', 'path=foo\n', /has no length/],
    ['no "="', `${paxRecord('path', 'x').replace('=', ':')}`, /has no "key=value"/],
    ['an empty key', paxRecord('', 'x'), /has no "key=value"/],
    ['a NUL in a value', paxRecord('path', 'evil\0.txt'), /"path" has a NUL or newline in its value/],
    ['a newline in a value', paxRecord('path', 'a\nb.txt'), /"path" has a NUL or newline in its value/],
    ['a negative size', paxRecord('size', '-1'), /"size" is not a whole number of bytes/],
    ['an exponent in a size', paxRecord('size', '1e3'), /"size" is not a whole number of bytes/],
    ['trailing bytes', `${paxRecord('path', 'foo.txt')}\0\0`, /has no length/],
  ])('refuses a pax header with %s', async (_name, body, message) => {
    await writeBundle([{ path: 'PaxHeader/foo', type: 'ExtendedHeader', body }, { path: 'foo.txt', body: 'x' }]);
    await expectRefused(message);
  });

  it('refuses a pax header that is not UTF-8', async () => {
    const body = Buffer.concat([Buffer.from('17 path=caf'), Buffer.from([0xe9]), Buffer.from('.txt\n')]);
    await writeBundle([{ path: 'PaxHeader/foo', type: 'ExtendedHeader', body }, { path: 'foo.txt', body: 'x' }]);
    await expectRefused(/pax header is not valid UTF-8/);
  });

  it('refuses a bad pax global header too', async () => {
    await writeBundle([{ path: 'pax_global_header', type: 'GlobalExtendedHeader', body: '52 comment=abc\n' }, { path: 'a.txt', body: 'a' }]);
    await expectRefused(/pax header record "52 comment=abc" declares 52 bytes but has 15/);
  });

  it('refuses the same path twice', async () => {
    await writeBundle([{ path: 'x.txt', body: '1' }, { path: 'x.txt', body: '2' }]);
    await expectRefused(/lists "x\.txt" twice/);
  });

  it('refuses the same folder twice, even spelled ./dir/', async () => {
    await writeBundle([{ path: 'dir/', type: 'Directory' }, { path: './dir', type: 'Directory' }]);
    await expectRefused(/lists "dir" twice/);
  });

  it('refuses A.txt and a.txt (case folding)', async () => {
    await writeBundle([{ path: 'A.txt', body: '1' }, { path: 'a.txt', body: '2' }]);
    await expectRefused(/"A\.txt" and "a\.txt" have the same name after Unicode and case folding/);
  });

  it('refuses names that collide only in a parent folder', async () => {
    await writeBundle([{ path: 'Src/a.txt', body: '1' }, { path: 'src/b.txt', body: '2' }]);
    await expectRefused(/"Src" and "src"/);
  });

  it('refuses NFC and NFD forms of the same name', async () => {
    await writeBundle([{ path: 'caf\u00e9.txt', body: '1' }, { path: 'cafe\u0301.txt', body: '2' }]);
    await expectRefused(/same name after Unicode and case folding/);
  });

  it('refuses a backslash in a name', async () => {
    await writeBundle([{ path: 'a\\..\\evil.txt', body: 'x' }]);
    await expectRefused(/backslash/);
  });

  it('refuses a control character in a name', async () => {
    await writeBundle([{ path: 'bad\u0001name.txt', body: 'x' }]);
    await expectRefused(/control character/);
  });

  it('refuses a file that tries to replace an extracted folder', async () => {
    await writeBundle([{ path: 'a/b.txt', body: '1' }, { path: 'a', body: 'not a folder' }]);
    await expectRefused(/cannot write bundle entry "a"/);
  });
});

describe('entry rules', () => {
  it('normalises paths and marks the root', () => {
    expect(checkEntryPath('./a//b/./c/')).toBe('a/b/c');
    expect(checkEntryPath('./')).toBe('');
    expect(checkEntryPath('.')).toBe('');
  });

  it.each([
    ['', /empty name/],
    ['a\0b', /NUL or control character/],
    ['tab\there', /control character/],
    ['c1\u0085', /control character/],
    ['/etc/passwd', /absolute path/],
    ['a/..', /"\.\." component/],
    ['a\\b', /backslash/],
    [Array(33).fill('d').join('/'), /deeper than 32/],
  ])('refuses %j', (raw, message) => {
    expect(() => checkEntryPath(raw)).toThrow(message);
  });

  it('finds .git at any depth, but not look-alikes', () => {
    expect(isGitPath('.git')).toBe(true);
    expect(isGitPath('a/b/.git/config')).toBe(true);
    expect(isGitPath('.gitignore')).toBe(false);
    expect(isGitPath('a/.github/workflows')).toBe(false);
  });

  it('keeps only the exec bit of a mode', () => {
    expect(normaliseMode('file', 0o4777)).toBe(0o755);
    expect(normaliseMode('file', 0o100)).toBe(0o755);
    expect(normaliseMode('file', 0o666)).toBe(0o644);
    expect(normaliseMode('file', undefined)).toBe(0o644);
    expect(normaliseMode('dir', 0o1777)).toBe(0o755);
  });

  it('folds case fully, not just lower-casing', () => {
    const guard = new DuplicateGuard();
    guard.add('docs/STRASSE.md');
    expect(() => guard.add('docs/straße.md')).toThrow(/same name/);
    guard.add('docs/other.md');
    guard.add('docs'); // listing a folder after its children is fine
    expect(() => guard.add('docs')).toThrow(/twice/);
  });
});
