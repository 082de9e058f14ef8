import { readFileSync } from 'node:fs';
import { CPU_PERIOD_US, type Sandbox } from './sandboxPolicy.js';

/** The parts of an OCI runtime spec (config.json) Shelf writes; runc reads the rest as absent. */
export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: false;
    user: { uid: number; gid: number; additionalGids: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: Record<'bounding' | 'effective' | 'inheritable' | 'permitted' | 'ambient', string[]>;
    rlimits: Array<{ type: string; soft: number; hard: number }>;
    noNewPrivileges: boolean;
    oomScoreAdj: number;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: Array<{ destination: string; type: string; source: string; options: string[] }>;
  annotations: Record<string, string>;
  linux: {
    namespaces: Array<{ type: string }>;
    cgroupsPath: string;
    resources: {
      devices: Array<{ allow: boolean; access: string }>;
      memory: { limit: number; swap: number };
      cpu: { quota: number; period: number };
      pids: { limit: number };
    };
    maskedPaths: string[];
    readonlyPaths: string[];
    seccomp: SeccompProfile;
  };
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: Array<{ names: string[]; action: string; errnoRet?: number; args?: Array<{ index: number; value: number; valueTwo?: number; op: string }> }>;
}

/** Where runc's container finds its root filesystem, and what only the runc runner knows. */
export interface OciHost {
  /** The unpacked image, shared by every job of that image: mounted read-only. */
  rootfs: string;
  /** The image's own environment (PATH, LANG…), which Docker merges under the job's. */
  imageEnv: string[];
  hostname: string;
  cgroupsPath: string;
}

/**
 * The OCI runtime spec of one sandbox (see sandboxPolicy): what Docker would give runc for the
 * same container, down to its default /dev, /proc and /sys mounts. No network namespace is
 * shared with the host: runc sets up only loopback in the new one, as Docker's `none` does.
 */
export function toOciSpec(sandbox: Sandbox, host: OciHost): OciSpec {
  if (sandbox.network !== 'none') throw new Error('the runc runner runs only jobs without network; egress jobs run on Docker');
  const caps = sandbox.capabilities;
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: sandbox.uid, gid: sandbox.gid, additionalGids: [] },
      args: sandbox.command,
      env: mergeEnv(host.imageEnv, sandbox.env),
      cwd: sandbox.workdir,
      capabilities: { bounding: caps, effective: caps, inheritable: caps, permitted: caps, ambient: caps },
      rlimits: sandbox.rlimits.map((r) => ({ type: `RLIMIT_${r.name.toUpperCase()}`, soft: r.soft, hard: r.hard })),
      noNewPrivileges: sandbox.noNewPrivileges,
      oomScoreAdj: 0,
    },
    root: { path: host.rootfs, readonly: sandbox.readonlyRoot },
    hostname: host.hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      {
        destination: sandbox.tmpfs.target,
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['rw', ...sandbox.tmpfs.options, `size=${sandbox.tmpfs.sizeBytes}`, `mode=${sandbox.tmpfs.mode.toString(8)}`],
      },
      ...sandbox.mounts.map((m) => ({
        destination: m.target,
        type: 'bind',
        source: m.source,
        options: ['rbind', 'rprivate', m.readOnly ? 'ro' : 'rw'],
      })),
    ],
    annotations: sandbox.labels,
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }],
      cgroupsPath: host.cgroupsPath,
      resources: {
        // runc adds the few harmless devices (null, zero, random, tty…) every container gets.
        devices: [{ allow: false, access: 'rwm' }],
        memory: { limit: sandbox.memoryBytes, swap: sandbox.memorySwapBytes },
        cpu: { quota: Math.round(sandbox.cpus * CPU_PERIOD_US), period: CPU_PERIOD_US },
        pids: { limit: sandbox.pids },
      },
      maskedPaths: [...sandbox.maskedPaths],
      readonlyPaths: [...sandbox.readonlyPaths],
      seccomp: dockerDefaultSeccomp(),
    },
  };
}

/** The image's variables, overridden by the job's, in the image's order: what Docker does. */
function mergeEnv(image: string[], job: string[]): string[] {
  const name = (kv: string) => kv.slice(0, kv.indexOf('='));
  const ours = new Set(job.map(name));
  return [...image.filter((kv) => !ours.has(name(kv))), ...job];
}

const seccompArch: Partial<Record<NodeJS.Architecture, 'amd64' | 'arm64'>> = { x64: 'amd64', arm64: 'arm64' };
let seccompCache: SeccompProfile | undefined;

/** Docker's default seccomp profile for this host's architecture (seccompDefault.json says where it comes from). */
export function dockerDefaultSeccomp(): SeccompProfile {
  if (seccompCache) return seccompCache;
  const arch = seccompArch[process.arch];
  if (!arch) throw new Error(`no seccomp profile for ${process.arch}: the runc runner supports x64 and arm64`);
  const profiles = JSON.parse(readFileSync(new URL('./seccompDefault.json', import.meta.url), 'utf8')) as Record<string, SeccompProfile>;
  seccompCache = profiles[arch]!;
  return seccompCache;
}
