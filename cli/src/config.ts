import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './cliError.js';

/** What `shelf login` stores. */
export interface StoredLogin {
  url: string;
  token: string;
}

/** The Shelf a command talks to, and the token it sends (undefined: none configured). */
export interface Target {
  url: string;
  token: string | undefined;
}

/** `$XDG_CONFIG_HOME/shelf/config.json`, `~/.config/shelf/config.json` by default. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(base, 'shelf', 'config.json');
}

export async function readLogin(file = configPath()): Promise<StoredLogin | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const value = JSON.parse(text) as Partial<StoredLogin>;
    if (typeof value.url === 'string' && typeof value.token === 'string') return { url: value.url, token: value.token };
  } catch {
    // reported below
  }
  throw new CliError(`${file} is not a login shelf understands; run \`shelf login\` again`);
}

/** Writes the login readable by its owner only (folder 0700, file 0600), replacing any before it in one step. */
export async function writeLogin(login: StoredLogin, file = configPath()): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(temp, 0o600);
    await rename(temp, file);
  } finally {
    await rm(temp, { force: true });
  }
}

export async function removeLogin(file = configPath()): Promise<boolean> {
  try {
    await rm(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** `SHELF_URL` and `SHELF_TOKEN` win over the stored login, each on its own. */
export async function resolveTarget(env: NodeJS.ProcessEnv = process.env): Promise<Target> {
  const stored = await readLogin(configPath(env));
  const url = env.SHELF_URL || stored?.url;
  if (!url) throw new CliError('no Shelf to talk to: run `shelf login --url URL`, or set SHELF_URL and SHELF_TOKEN');
  return { url: normaliseUrl(url), token: env.SHELF_TOKEN || stored?.token };
}

/** `http://host:8080/` → `http://host:8080`; refuses what is not an http(s) URL. */
export function normaliseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`"${raw}" is not a URL; give Shelf's address, e.g. http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`"${raw}" is not an http(s) URL; give Shelf's address, e.g. http://127.0.0.1:8080`);
  return url.href.replace(/\/+$/, '');
}
