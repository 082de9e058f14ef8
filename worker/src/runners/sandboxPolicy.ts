import type { RunSpec } from './runner.js';

/** The sandbox user baked into the Shelf runtime images; forced for any image. */
export const SANDBOX_UID = 10001;
export const SANDBOX_GID = 10001;
export const Label = {
  job: 'shelf.job',
  worker: 'shelf.worker',
  /** The Redis prefix: installations (and tests) sharing a host leave each other's sandboxes alone. */
  installation: 'shelf.installation',
} as const;

/** The host's own settings for every sandbox (the job brings the rest). */
export interface SandboxPolicy {
  workerId: string;
  installation: string;
  tmpSizeBytes: number;
  /** RLIMIT_FSIZE: no single file (output.json lives on the host disk) grows past this. */
  maxFileBytes: number;
}

/** Where the job finds its files, inside the sandbox. */
export const SandboxPath = {
  workdir: '/bundle',
  input: '/shelf/input.json',
  output: '/shelf/output.json',
  secrets: '/run/secrets',
  tmp: '/tmp',
} as const;

/** What Docker masks in /proc and /sys for an unprivileged container (its defaults, written out so runc gets the same). */
export const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
] as const;
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'] as const;

/** The CFS period both runtimes use (Docker's for NanoCpus): the quota is `cpus` of it. */
export const CPU_PERIOD_US = 100_000;

export interface SandboxMount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** One sandbox, said once, independent of the runtime: `toDockerCreateOptions` and `toOciSpec` translate it. */
export interface Sandbox {
  image: string;
  command: string[];
  workdir: string;
  uid: number;
  gid: number;
  env: string[];
  labels: Record<string, string>;
  network: 'none' | 'egress';
  readonlyRoot: true;
  tmpfs: { target: string; sizeBytes: number; options: string[]; mode: number };
  /** Host paths bound in: the bundle, the job's two files, its secrets. Nothing else. */
  mounts: SandboxMount[];
  /** Capabilities kept: none. */
  capabilities: string[];
  noNewPrivileges: true;
  memoryBytes: number;
  /** Memory plus swap: equal to memoryBytes, so no swap. */
  memorySwapBytes: number;
  cpus: number;
  pids: number;
  rlimits: Array<{ name: 'nofile' | 'fsize'; soft: number; hard: number }>;
  maskedPaths: readonly string[];
  readonlyPaths: readonly string[];
  /** Docker's default seccomp profile: Docker applies its own, runc gets seccompDefault.json. */
  seccomp: 'docker-default';
}

/**
 * The container policy of SPEC 5: no network unless asked, read-only root, a small tmpfs at
 * /tmp, no capabilities, no privilege gain, a non-root user, memory/CPU/pids limits, and no
 * host path but the bundle, the job's two files and its secrets folder (read-only). Nothing
 * from the worker's environment is passed in.
 */
export function sandboxPolicy(spec: RunSpec, policy: SandboxPolicy): Sandbox {
  const memory = spec.limits.memoryBytes;
  return {
    image: spec.image,
    command: spec.command,
    workdir: SandboxPath.workdir,
    uid: SANDBOX_UID,
    gid: SANDBOX_GID,
    env: [`SHELF_INPUT=${SandboxPath.input}`, `SHELF_OUTPUT=${SandboxPath.output}`, `SHELF_JOB_ID=${spec.jobId}`, 'HOME=/tmp'],
    labels: { [Label.job]: spec.jobId, [Label.worker]: policy.workerId, [Label.installation]: policy.installation },
    network: spec.network,
    readonlyRoot: true,
    tmpfs: { target: SandboxPath.tmp, sizeBytes: policy.tmpSizeBytes, options: ['noexec', 'nosuid', 'nodev'], mode: 0o1777 },
    mounts: [
      { source: spec.bundleDir, target: SandboxPath.workdir, readOnly: true },
      { source: spec.inputFile, target: SandboxPath.input, readOnly: true },
      { source: spec.outputFile, target: SandboxPath.output, readOnly: false },
      ...(spec.secretsDir ? [{ source: spec.secretsDir, target: SandboxPath.secrets, readOnly: true }] : []),
    ],
    capabilities: [],
    noNewPrivileges: true,
    memoryBytes: memory,
    memorySwapBytes: memory,
    cpus: spec.limits.cpus,
    pids: spec.limits.pids,
    rlimits: [
      { name: 'nofile', soft: 1024, hard: 1024 },
      { name: 'fsize', soft: policy.maxFileBytes, hard: policy.maxFileBytes },
    ],
    maskedPaths: MASKED_PATHS,
    readonlyPaths: READONLY_PATHS,
    seccomp: 'docker-default',
  };
}
