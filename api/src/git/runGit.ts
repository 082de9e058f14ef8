import { GitError, GitPluginError, simpleGit } from 'simple-git';
import type { CheckedRepo } from './gitUrlPolicy.js';
import { redactUrl } from './gitUrlPolicy.js';

/**
 * Settings every git command runs with, so nothing in a fetched (or local `file://`) repository
 * can make git run code or reach further: no hooks, no fsmonitor, no submodules, no LFS filters,
 * no symlinks, no redirects to other hosts, objects checked on the way in, no background gc.
 */
const hardening = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'core.symlinks=false',
  'protocol.ext.allow=never',
  'submodule.recurse=false',
  'fetch.recurseSubmodules=false',
  'filter.lfs.smudge=',
  'filter.lfs.process=',
  'filter.lfs.required=false',
  'http.followRedirects=false',
  'transfer.fsckObjects=true',
  'gc.auto=0',
  'maintenance.auto=false',
];

/**
 * simple-git refuses `-c` keys and environment variables that can run commands unless told
 * otherwise. We set exactly those keys, to safe values; nothing a request supplies reaches
 * them, and `--upload-pack`-style options in arguments stay blocked.
 */
const unsafeAllowed = {
  allowUnsafeHooksPath: true,
  allowUnsafeFsMonitor: true,
  allowUnsafeFilter: true,
  allowUnsafeProtocolOverride: true,
  allowUnsafeConfigPaths: true,
  allowUnsafeConfigEnvCount: true,
};

export interface RunGitOptions {
  /** Working directory; a temp folder or the bare mirror. */
  cwd: string;
  /** An empty folder used as HOME, so no user configuration or credentials apply. */
  home: string;
  /** The repository this command talks to: its transport, credentials and pinned addresses. */
  repo?: CheckedRepo;
  gitDir?: string;
  timeoutMs: number;
  /** Aborts the command early (the size watchdog). */
  signal?: AbortSignal;
}

/** Why a git command failed, judged from its output; `retryable` is what BullMQ should do. */
export type GitFailure = 'timeout' | 'aborted' | 'ref-not-found' | 'bad-objects' | 'repository-unavailable' | 'network' | 'other';

export class GitCommandError extends Error {
  constructor(
    message: string,
    readonly failure: GitFailure,
  ) {
    super(message);
    this.name = 'GitCommandError';
  }

  get retryable(): boolean {
    return this.failure === 'timeout' || this.failure === 'network';
  }
}

/** Runs one hardened git command through simple-git and returns its stdout. */
export async function runGit(args: string[], opts: RunGitOptions): Promise<string> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const config = [...hardening];
  if (opts.repo?.resolve) config.push(`http.curloptResolve=${opts.repo.resolve}`);
  const git = simpleGit({ baseDir: opts.cwd, config, abort: signal, unsafe: unsafeAllowed, maxConcurrentProcesses: 1 });
  try {
    return await git.env(gitEnv(opts)).raw(args);
  } catch (err) {
    if (timeout.aborted) throw new GitCommandError(`git ${args[0]} timed out after ${Math.round(opts.timeoutMs / 1000)} s`, 'timeout');
    if (opts.signal?.aborted) throw new GitCommandError(`git ${args[0]} was stopped: ${String(opts.signal.reason ?? 'aborted')}`, 'aborted');
    throw toGitCommandError(args[0] ?? 'git', err);
  }
}

/** What a git process inherits from ours: how to reach the network and whom to trust there. */
const passedThrough = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'GIT_SSL_CAINFO', 'GIT_SSL_CAPATH', 'SSL_CERT_FILE', 'SSL_CERT_DIR'];

/**
 * The whole environment of a git process, built from nothing: only PATH (to find git) and the
 * variables above come from ours, so no other GIT_* variable of the server leaks in.
 * Credentials travel as an HTTP header in GIT_CONFIG_* variables: not in argv (visible to
 * `ps`) and not in the URL (which git may print).
 */
function gitEnv(opts: RunGitOptions): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: opts.home,
    XDG_CONFIG_HOME: opts.home,
    LANG: 'C',
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_LFS_SKIP_SMUDGE: '1',
    GIT_ALLOW_PROTOCOL: opts.repo?.protocol ?? 'file',
  };
  for (const name of passedThrough) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  if (opts.gitDir) env.GIT_DIR = opts.gitDir;
  if (opts.repo?.authorization) {
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: ${opts.repo.authorization}`;
  }
  return env;
}

const notFound = /couldn't find remote ref|no such remote ref|remote ref does not exist/i;
/** transfer.fsckObjects refused what the server sent (e.g. a `.gitmodules` with `update = !command`). */
const badObjects = /fsck error|gitmodules|bad object [0-9a-f]|invalid object/i;
const unavailable =
  /repository .* not found|does not appear to be a git repository|not a git repository|authentication failed|could not read (username|password)|terminal prompts disabled|transport '.*' not allowed|permission denied|returned error: (401|403|404)|the requested url returned error: (401|403|404)|redirect/i;

function toGitCommandError(command: string, err: unknown): GitCommandError {
  if (err instanceof GitPluginError && err.plugin === 'unsafe') {
    return new GitCommandError(`git ${command} refused by simple-git: ${err.message}`, 'other');
  }
  const text = err instanceof GitError ? err.message : String((err as Error)?.message ?? err);
  const message = scrub(text);
  if (notFound.test(text)) return new GitCommandError(message, 'ref-not-found');
  if (badObjects.test(text)) return new GitCommandError(message, 'bad-objects');
  if (unavailable.test(text)) return new GitCommandError(message, 'repository-unavailable');
  if (err instanceof GitError) return new GitCommandError(message, 'network');
  return new GitCommandError(message, 'other');
}

/** git's output, fit to store: credentials removed, one short paragraph. */
function scrub(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.replace(/[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+/g, (u) => redactUrl(u)));
  const joined = lines.join(' ') || 'git failed without a message';
  return joined.length > 600 ? `${joined.slice(0, 600)}…` : joined;
}
