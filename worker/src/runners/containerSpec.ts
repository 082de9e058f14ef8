import type { ContainerCreateOptions } from 'dockerode';
import type { RunSpec } from './runner.js';
import { sandboxPolicy, type Sandbox, type SandboxPolicy } from './sandboxPolicy.js';

/**
 * The Docker create options of one sandbox (see sandboxPolicy). Docker keeps no log (output is
 * streamed through attach), so a flood of output never lands on the host disk. Docker applies
 * its default seccomp profile itself: no SecurityOpt names one.
 */
export function toDockerCreateOptions(sandbox: Sandbox): ContainerCreateOptions {
  return {
    Image: sandbox.image,
    Cmd: sandbox.command,
    WorkingDir: sandbox.workdir,
    User: `${sandbox.uid}:${sandbox.gid}`,
    Env: sandbox.env,
    Labels: sandbox.labels,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: false,
    Tty: false,
    HostConfig: {
      NetworkMode: sandbox.network === 'egress' ? 'bridge' : 'none',
      ReadonlyRootfs: sandbox.readonlyRoot,
      Tmpfs: { [sandbox.tmpfs.target]: ['rw', ...sandbox.tmpfs.options, `size=${sandbox.tmpfs.sizeBytes}`, `mode=${sandbox.tmpfs.mode.toString(8)}`].join(',') },
      CapDrop: ['ALL'],
      CapAdd: sandbox.capabilities,
      SecurityOpt: sandbox.noNewPrivileges ? ['no-new-privileges'] : [],
      Privileged: false,
      Memory: sandbox.memoryBytes,
      MemorySwap: sandbox.memorySwapBytes,
      NanoCpus: Math.round(sandbox.cpus * 1e9),
      PidsLimit: sandbox.pids,
      Ulimits: sandbox.rlimits.map((r) => ({ Name: r.name, Soft: r.soft, Hard: r.hard })),
      MaskedPaths: [...sandbox.maskedPaths],
      ReadonlyPaths: [...sandbox.readonlyPaths],
      LogConfig: { Type: 'none', Config: {} },
      AutoRemove: false,
      Mounts: sandbox.mounts.map((m) => ({ Type: 'bind' as const, Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
    },
  };
}

/** The Docker container of one run under the SPEC 5 policy. */
export function containerSpec(spec: RunSpec, policy: SandboxPolicy): ContainerCreateOptions {
  return toDockerCreateOptions(sandboxPolicy(spec, policy));
}
