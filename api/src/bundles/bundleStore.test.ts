import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { BundleStore } from './bundleStore.js';

let root: string;
let store: BundleStore;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'shelf-store-'));
  store = new BundleStore(root);
  await store.init();
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function stage(content: string): Promise<{ temp: string; digest: string }> {
  const temp = store.tempPath('.tar.gz');
  await writeFile(temp, content);
  return { temp, digest: sha256(content) };
}

describe('BundleStore', () => {
  it('hands out temp paths inside root/.tmp, so a rename stays on one file system', () => {
    const a = store.tempPath('.tar.gz');
    expect(path.dirname(a)).toBe(path.join(root, '.tmp'));
    expect(a.endsWith('.tar.gz')).toBe(true);
    expect(store.tempPath()).not.toBe(store.tempPath());
  });

  it('accepts only 64 lowercase hex characters as a digest', () => {
    const good = sha256('x');
    expect(store.pathOf(good)).toBe(path.join(root, `${good}.tar.gz`));
    for (const bad of [good.toUpperCase(), good.slice(1), `${good}0`, '../../etc/passwd', '', `${good.slice(2)}/.`]) {
      expect(() => store.pathOf(bad)).toThrow(AppError);
    }
  });

  it('puts a bundle in place, then serves and removes it', async () => {
    const { temp, digest } = await stage('bundle bytes');
    expect(await store.has(digest)).toBe(false);
    await store.put(temp, digest);
    expect(existsSync(temp)).toBe(false);
    expect(await store.has(digest)).toBe(true);
    expect(await text(store.createReadStream(digest))).toBe('bundle bytes');
    expect((await stat(store.pathOf(digest))).mode & 0o222).toBe(0); // stored read-only
    await store.remove(digest);
    expect(await store.has(digest)).toBe(false);
    await store.remove(digest); // removing twice is fine
  });

  it('never overwrites a stored bundle; the second temp file is just dropped', async () => {
    const first = await stage('original');
    await store.put(first.temp, first.digest);
    const imposter = store.tempPath('.tar.gz');
    await writeFile(imposter, 'different bytes under the same name');
    await store.put(imposter, first.digest);
    expect(await readFile(store.pathOf(first.digest), 'utf8')).toBe('original');
    expect(existsSync(imposter)).toBe(false);
    expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
  });

  it('survives two puts of the same digest racing', async () => {
    const a = await stage('same');
    const b = await stage('same');
    await Promise.all([store.put(a.temp, a.digest), store.put(b.temp, b.digest)]);
    expect(await readFile(store.pathOf(a.digest), 'utf8')).toBe('same');
    expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
  });

  it('errors on the stream when reading a bundle that is not stored', async () => {
    await expect(text(store.createReadStream(sha256('missing')))).rejects.toThrow(/ENOENT/);
  });
});
