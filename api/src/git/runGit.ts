import { GitError, GitPluginError, simpleGit } from 'simple-git';
import type { CheckedRepo } from './gitUrlPolicy.js';
import { scrubGitText } from './scrubGitText.js';

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
  /** Per command: a host that does not answer within it is given up on. */
  timeoutMs: number;
  /** The whole sync's limit, shared by every git command it runs. */
  deadline?: SyncDeadline;
  /** Aborts the command early (the size watchdog). */
  signal?: AbortSignal;
}

/**
 * How long one sync (one attempt of its job) may spend on git in all: the per-command timeout
 * alone lets a host that answers each command just in time hold a consumer slot for ever.
 */
export interface SyncDeadline {
  /** Aborts when the time is up. */
  signal: AbortSignal;
  ms: number;
  /** When it is up, ms since the epoch. */
  endsAt: number;
}

export function startSyncDeadline(ms: number): SyncDeadline {
  return { signal: AbortSignal.timeout(ms), ms, endsAt: Date.now() + ms };
}

/** `60 s`, `1.5 s`: how long, as the import record says it. */
const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

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
  const signal = AbortSignal.any([timeout, opts.deadline?.signal, opts.signal].filter((s): s is AbortSignal => s !== undefined));
  const config = [...hardening, ...stallLimit(opts)];
  if (opts.repo?.resolve) config.push(`http.curloptResolve=${opts.repo.resolve}`);
  const git = simpleGit({ baseDir: opts.cwd, config, abort: signal, unsafe: unsafeAllowed, maxConcurrentProcesses: 1 });
  try {
    return await git.env(gitEnv(opts)).raw(args);
  } catch (err) {
    const command = `git ${args[0] ?? ''}`.trim();
    const peer = opts.repo?.url;
    if (opts.deadline?.signal.aborted) {
      const what = peer ? `the sync of ${peer}` : 'the sync';
      throw new GitCommandError(`${command}: ${what} took longer than the ${seconds(opts.deadline.ms)} one sync may take in all (SHELF_GIT_SYNC_TIMEOUT_SECONDS)`, 'timeout');
    }
    if (timeout.aborted) {
      throw new GitCommandError(peer ? `${command}: ${peer} did not answer within ${seconds(opts.timeoutMs)}` : `${command} did not finish within ${seconds(opts.timeoutMs)}`, 'timeout');
    }
    if (opts.signal?.aborted) throw new GitCommandError(`${command} was stopped: ${String(opts.signal.reason ?? 'aborted')}`, 'aborted');
    throw toGitCommandError(command, err, opts);
  }
}

/**
 * Stopping git does not stop its HTTP helper (`git-remote-https`, a child it does not kill):
 * left alone, the helper would stay connected to a server that never answers, one more for
 * every retry. curl's own stall limit ends it a second after we give up on the command
 * (a second later, so our clearer timeout is what the record says).
 */
function stallLimit(opts: RunGitOptions): string[] {
  const ms = Math.min(opts.timeoutMs, opts.deadline ? opts.deadline.endsAt - Date.now() : Infinity);
  return ['http.lowSpeedLimit=1000', `http.lowSpeedTime=${Math.max(1, Math.ceil(ms / 1000)) + 1}`];
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
/** curl's stall limit (above) firing before our timer, or a connection the network gave up on. */
const tooSlow = /operation too slow|timed out/i;
/** transfer.fsckObjects refused what the server sent (e.g. a `.gitmodules` with `update = !command`). */
const badObjects = /fsck error|gitmodules|bad object [0-9a-f]|invalid object/i;
const unavailable =
  /repository .* not found|does not appear to be a git repository|not a git repository|authentication failed|could not read (username|password)|terminal prompts disabled|transport '.*' not allowed|permission denied|returned error: (401|403|404)|the requested url returned error: (401|403|404)|redirect/i;

function toGitCommandError(command: string, err: unknown, opts: RunGitOptions): GitCommandError {
  const places = { home: opts.home, mirror: opts.gitDir };
  if (err instanceof GitPluginError && err.plugin === 'unsafe') {
    return new GitCommandError(`${command} refused by simple-git: ${scrubGitText(err.message, places)}`, 'other');
  }
  const text = err instanceof GitError ? err.message : String((err as Error)?.message ?? err);
  const message = scrubGitText(text, places);
  if (notFound.test(text)) return new GitCommandError(message, 'ref-not-found');
  if (tooSlow.test(text)) return new GitCommandError(message, 'timeout');
  if (badObjects.test(text)) return new GitCommandError(message, 'bad-objects');
  if (unavailable.test(text)) return new GitCommandError(message, 'repository-unavailable');
  if (err instanceof GitError) return new GitCommandError(message, 'network');
  return new GitCommandError(message, 'other');
}
