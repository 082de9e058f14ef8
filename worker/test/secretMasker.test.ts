import { randomBytes } from 'node:crypto';
import { SECRET_MASK, type JobProgress } from '@shelf/contract';
import type { AppendResult, RunRecorder } from '@shelf/records';
import { describe, expect, it } from 'vitest';
import { JobOutput } from '../src/output/jobOutput.js';
import { LogSink } from '../src/output/logSink.js';
import { ProgressThrottle } from '../src/output/progressThrottle.js';
import { noSecrets, SecretMasker } from '../src/output/secretMasker.js';

/** Every form differs from the others: a space, a quote, a backslash, a non-ASCII letter, base64 with '+' and padding. */
const secret = 'p@ss w?rd"\\é>>~';
const M = SECRET_MASK;

describe('SecretMasker', () => {
  const masker = new SecretMasker([secret]);

  it('masks the value and each of its encoded forms', () => {
    const bytes = Buffer.from(secret);
    const forms = {
      raw: secret,
      base64: bytes.toString('base64'),
      base64Unpadded: bytes.toString('base64').replace(/=+$/, ''),
      base64url: bytes.toString('base64url'),
      uri: encodeURIComponent(secret),
      form: encodeURIComponent(secret).replaceAll('%20', '+'),
      json: JSON.stringify(secret).slice(1, -1),
    };
    expect(new Set(Object.values(forms)).size).toBe(7);
    for (const [name, form] of Object.entries(forms)) {
      expect([name, masker.mask(`before ${form} after`)]).toEqual([name, `before ${M} after`]);
    }
  });

  it('masks every occurrence, and leaves lines without a secret as they are', () => {
    expect(masker.mask(`${secret}|${secret}`)).toBe(`${M}|${M}`);
    expect(masker.mask('nothing to hide here')).toBe('nothing to hide here');
  });

  it('masks each line of a multi-line secret on its own, except lines too short to mask', () => {
    const pem = new SecretMasker(['-----BEGIN KEY-----\r\nMIIEvQIBADANBgkq\nab\n-----END KEY-----']);
    expect(pem.mask('-----BEGIN KEY-----')).toBe(M);
    expect(pem.mask('key: MIIEvQIBADANBgkq')).toBe(`key: ${M}`);
    expect(pem.mask('-----END KEY-----')).toBe(M);
    expect(pem.mask('ab')).toBe('ab');
  });

  it('masks a secret base64-encoded at any byte offset of a longer stream, leaving at most 2 of its bytes at each end', () => {
    const plain = 'S3cretValue-42!x';
    const m = new SecretMasker([plain]);
    for (const before of ['', 'u', 'us', 'use', 'user:', 'Basic user:']) {
      for (const after of ['', '\n', ':more', '!!']) {
        const stream = Buffer.from(before + plain + after).toString('base64');
        const pieces = m.mask(stream).split(M);
        expect([before, after, pieces.length]).toEqual([before, after, 2]);
        // Decode the whole 4-character groups on each side: a group the mask cut into keeps a few bits at most.
        const [left = '', right = ''] = pieces;
        const leftBytes = Buffer.from(left.slice(0, left.length - (left.length % 4)), 'base64').toString('latin1');
        const rightBytes = Buffer.from(right.slice(right.length % 4), 'base64').toString('latin1');
        expect([before, after, leftBytes.length - before.length <= 2, rightBytes.length - after.length <= 2]).toEqual([before, after, true, true]);
        expect(leftBytes + rightBytes).not.toContain(plain.slice(0, 3));
        expect(leftBytes + rightBytes).not.toContain(plain.slice(-3));
      }
    }
  });

  it('masks a secret embedded in JSON, with its escapes', () => {
    const line = JSON.stringify({ user: 'me', token: secret, note: `uses ${secret}` });
    const masked = masker.mask(line);
    expect(JSON.parse(masked)).toEqual({ user: 'me', token: M, note: `uses ${M}` });
  });

  it('masks a secret in a URL query or a form body', () => {
    const plain = 'p@ss w/rd';
    const m = new SecretMasker([plain]);
    expect(m.mask(`GET https://x.test/login?pw=${encodeURIComponent(plain)}&next=%2F`)).toBe(`GET https://x.test/login?pw=${M}&next=%2F`);
    expect(m.mask(`body: ${new URLSearchParams({ user: 'me', pw: plain })}`)).toBe(`body: user=me&pw=${M}`);
  });

  it('masks a longer form whole, even where a shorter or overlapping secret matches inside it', () => {
    const m = new SecretMasker(['hunter22', 'hunter22-and-more', 'abcd1234', '1234wxyz']);
    expect(m.mask('x hunter22-and-more y')).toBe(`x ${M} y`);
    expect(m.mask('x abcd1234wxyz y')).toBe(`x ${M} y`);
    expect(m.mask('x hunter22 y')).toBe(`x ${M} y`);
  });

  it('looks at the whole form, not only its start', () => {
    const long = 'a-rather-long-secret-value-0123456789';
    const m = new SecretMasker([long]);
    expect(m.mask(`${long.slice(0, 30)}!`)).toBe(`${long.slice(0, 30)}!`);
    expect(m.mask(`[${long}]`)).toBe(`[${M}]`);
  });

  it('handles a secret of the largest allowed size', () => {
    const pem = `-----BEGIN CERT-----\n${randomBytes(47 * 1024).toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERT-----`;
    const m = new SecretMasker([pem]);
    const lines = pem.split('\n');
    expect(m.mask(`cert line: ${lines[100]}`)).toBe(`cert line: ${M}`);
    expect(m.mask(Buffer.from(pem).toString('base64'))).toBe(M);
    expect(m.mask('an ordinary line')).toBe('an ordinary line');
  });

  describe('maskTruncated', () => {
    it('also masks a start of a form that ends the cut text', () => {
      expect(masker.maskTruncated('log: p@ss w')).toBe(`log: ${M}`);
      expect(masker.maskTruncated(`${secret} then p`)).toBe(`${M} then ${M}`);
      expect(masker.maskTruncated(`auth ${Buffer.from(secret).toString('base64').slice(0, 10)}`)).toBe(`auth ${M}`);
      expect(masker.mask('log: p@ss w')).toBe('log: p@ss w');
    });

    it('masks a start cut inside a multi-byte character', () => {
      const m = new SecretMasker(['pässwort']);
      const cut = Buffer.from('x: pässwort').subarray(0, 5).toString('utf8');
      expect(cut).toBe('x: p\uFFFD');
      expect(m.maskTruncated(cut)).toBe(`x: ${M}`);
    });

    it('leaves a text that ends in no start of a form as mask() would', () => {
      expect(masker.maskTruncated(`${secret} and more`)).toBe(`${M} and more`);
      expect(masker.maskTruncated('xyz')).toBe('xyz');
    });
  });

  describe('maskDeep', () => {
    it('masks strings, object keys and numbers or booleans that spell a secret, in arrays and nested objects', () => {
      const m = new SecretMasker(['hunter22', '31415926', 'true']);
      const outputs = {
        hunter22: 'key is a secret',
        nested: { list: ['ok', 'pw=hunter22', 3.1415926, 314159265, 7, null], flag: true, other: false },
        count: 42,
      };
      const copy = structuredClone(outputs);
      expect(m.maskDeep(outputs)).toEqual({
        [M]: 'key is a secret',
        nested: { list: ['ok', `pw=${M}`, 3.1415926, M, 7, null], flag: M, other: false },
        count: 42,
      });
      expect(outputs).toEqual(copy);
    });

    it('keeps a "__proto__" key a key', () => {
      const masked = new SecretMasker(['hunter22']).maskDeep(JSON.parse('{"__proto__": {"pw": "hunter22"}}'));
      expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
      expect(JSON.stringify(masked)).toBe(`{"__proto__":{"pw":"${M}"}}`);
    });
  });

  it('ignores values too short to mask safely', () => {
    const m = new SecretMasker(['abc', '', 'xy']);
    expect(m.active).toBe(false);
    expect(m.mask('abc xy')).toBe('abc xy');
  });

  it('without secrets hands every input back untouched', () => {
    const outputs = { a: [1, 'two'] };
    expect(noSecrets.active).toBe(false);
    expect(noSecrets.mask('a line')).toBe('a line');
    expect(noSecrets.maskTruncated('a line')).toBe('a line');
    expect(noSecrets.maskDeep(outputs)).toBe(outputs);
    expect(masker.active).toBe(true);
  });
});

describe('JobOutput', () => {
  function fakeRecorder() {
    const lines: string[] = [];
    const progress: JobProgress[] = [];
    const recorder = {
      async appendLog(_jobId: string, _capBytes: number, pairs: string[]): Promise<AppendResult> {
        for (let i = 1; i < pairs.length; i += 2) lines.push(pairs[i]!);
        return { stored: pairs.length / 2, closed: false };
      },
      async closeLog(): Promise<void> {},
      async progress(_jobId: string, p: JobProgress): Promise<boolean> {
        progress.push(p);
        return true;
      },
    };
    return { recorder: recorder as unknown as RunRecorder, lines, progress };
  }

  async function run(stdout: string, stderr: string) {
    const fake = fakeRecorder();
    const output = new JobOutput(
      new LogSink(fake.recorder, 'j', { capBytes: 1e9, maxLines: 1e9 }),
      new ProgressThrottle(fake.recorder, 'j', () => undefined),
      async () => undefined,
      new SecretMasker(['hunter22']),
    );
    await new Promise<void>((resolve) => output.stdout.end(stdout, resolve));
    await new Promise<void>((resolve) => output.stderr.end(stderr, resolve));
    await output.close();
    return fake;
  }

  it('masks log lines, progress messages and the start of a secret cut at the line cap, before the marker', async () => {
    const long = `${'x'.repeat(16 * 1024 - 4)}hunter22 and the rest`;
    const fake = await run(`token=hunter22\n::progress 50 logging in as hunter22\n${long}\n`, 'error: bad hunter22\n');
    expect(fake.lines).toEqual([`token=${M}`, `${'x'.repeat(16 * 1024 - 4)}${M} …[line truncated]`, `error: bad ${M}`]);
    expect(fake.progress.at(-1)).toEqual({ percent: 50, message: `logging in as ${M}` });
  });

  it('masks a secret that the progress message cap cuts in two', async () => {
    const fake = await run(`::progress 10 ${'y'.repeat(495)}hunter22\n`, '');
    expect(fake.progress.at(-1)?.message).toBe(`${'y'.repeat(495)}${M.slice(0, 5)}`);
  });
});
