import type { ContainerCreateOptions } from 'dockerode';
import type { RunSpec } from './runner.js';

/** The sandbox user baked into the Shelf runtime images; forced for any image. */
export const SANDBOX_USER = '10001:10001';
export const SANDBOX_UID = 10001;
export const Label = {
  job: 'shelf.job',
  worker: 'shelf.worker',
  /** The Redis prefix: installations (and tests) sharing a Docker host leave each other's containers alone. */
  installation: 'shelf.installation',
} as const;

export interface SandboxPolicy {
  workerId: string;
  installation: string;
  tmpSizeBytes: number;
  /** RLIMIT_FSIZE: no single file (output.json lives on the host disk) grows past this. */
  maxFileBytes: number;
}

/**
 * The container policy of SPEC 5: no network unless asked, read-only root, a small tmpfs at
 * /tmp, no capabilities, no privilege gain, a non-root user, memory/CPU/pids limits, and no
 * host path but the bundle, the job's two files and its secrets folder (read-only). Nothing from the worker's environment
 * is passed in. Docker keeps no log (output is streamed through attach), so a flood of
 * output never lands on the host disk.
 */
export function containerSpec(spec: RunSpec, policy: SandboxPolicy): ContainerCreateOptions {
  const memory = spec.limits.memoryBytes;
  return {
    Image: spec.image,
    Cmd: spec.command,
    WorkingDir: '/bundle',
    User: SANDBOX_USER,
    Env: ['SHELF_INPUT=/shelf/input.json', 'SHELF_OUTPUT=/shelf/output.json', `SHELF_JOB_ID=${spec.jobId}`, 'HOME=/tmp'],
    Labels: { [Label.job]: spec.jobId, [Label.worker]: policy.workerId, [Label.installation]: policy.installation },
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: false,
    Tty: false,
    HostConfig: {
      NetworkMode: spec.network === 'egress' ? 'bridge' : 'none',
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': `rw,noexec,nosuid,nodev,size=${policy.tmpSizeBytes},mode=1777` },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: Math.round(spec.limits.cpus * 1e9),
      PidsLimit: spec.limits.pids,
      Ulimits: [
        { Name: 'nofile', Soft: 1024, Hard: 1024 },
        { Name: 'fsize', Soft: policy.maxFileBytes, Hard: policy.maxFileBytes },
      ],
      LogConfig: { Type: 'none', Config: {} },
      AutoRemove: false,
      Mounts: [
        { Type: 'bind', Source: spec.bundleDir, Target: '/bundle', ReadOnly: true },
        { Type: 'bind', Source: spec.inputFile, Target: '/shelf/input.json', ReadOnly: true },
        { Type: 'bind', Source: spec.outputFile, Target: '/shelf/output.json', ReadOnly: false },
        ...(spec.secretsDir ? [{ Type: 'bind' as const, Source: spec.secretsDir, Target: '/run/secrets', ReadOnly: true }] : []),
      ],
    },
  };
}
