import { describe, expect, it } from 'vitest';
import { toDockerCreateOptions } from './containerSpec.js';
import { toOciSpec } from './ociSpec.js';
import type { RunSpec } from './runner.js';
import { MASKED_PATHS, READONLY_PATHS, sandboxPolicy, type SandboxPolicy } from './sandboxPolicy.js';

const spec: RunSpec = {
  jobId: 'abc123',
  image: 'shelf/runtime-shell:1',
  command: ['bash', 'main.sh'],
  bundleDir: '/cache/bundles/d1',
  inputFile: '/run/j/input.json',
  outputFile: '/run/j/output.json',
  secretsDir: '/run/j/secrets',
  network: 'none',
  limits: { memoryBytes: 128 * 1024 * 1024, cpus: 0.5, pids: 64, timeoutSeconds: 60 },
};
const policy: SandboxPolicy = { workerId: 'w1', installation: 'shelf', tmpSizeBytes: 64 * 1024 * 1024, maxFileBytes: 3 * 1024 * 1024 };
const host = { rootfs: '/cache/rootfs/img', imageEnv: ['PATH=/usr/bin:/bin', 'HOME=/root', 'LANG=C.UTF-8'], hostname: 'abc123', cgroupsPath: '/shelf-runc/shelf/x' };

describe('one sandbox policy, two runtimes', () => {
  const sandbox = sandboxPolicy(spec, policy);
  const docker = toDockerCreateOptions(sandbox);
  const hc = docker.HostConfig!;
  const oci = toOciSpec(sandbox, host);

  it('mounts the same host paths at the same places, read-only alike, and nothing else', () => {
    const dockerMounts = hc.Mounts!.map((m) => ({ source: m.Source, target: m.Target, readOnly: m.ReadOnly }));
    const ociBinds = oci.mounts
      .filter((m) => m.type === 'bind')
      .map((m) => ({ source: m.source, target: m.destination, readOnly: m.options.includes('ro') }));
    expect(ociBinds).toEqual(dockerMounts);
    expect(dockerMounts).toEqual([
      { source: spec.bundleDir, target: '/bundle', readOnly: true },
      { source: spec.inputFile, target: '/shelf/input.json', readOnly: true },
      { source: spec.outputFile, target: '/shelf/output.json', readOnly: false },
      { source: spec.secretsDir, target: '/run/secrets', readOnly: true },
    ]);
  });

  it('gives both the same /tmp tmpfs and a read-only root', () => {
    const tmp = oci.mounts.find((m) => m.destination === '/tmp')!;
    expect(tmp.type).toBe('tmpfs');
    expect(tmp.options.join(',')).toBe(hc.Tmpfs!['/tmp']);
    expect(hc.Tmpfs!['/tmp']).toBe(`rw,noexec,nosuid,nodev,size=${policy.tmpSizeBytes},mode=1777`);
    expect(hc.ReadonlyRootfs).toBe(true);
    expect(oci.root).toEqual({ path: host.rootfs, readonly: true });
  });

  it('applies the same limits: memory without swap, CPU, pids, rlimits', () => {
    expect(oci.linux.resources.memory).toEqual({ limit: hc.Memory, swap: hc.MemorySwap });
    expect(hc.MemorySwap).toBe(hc.Memory);
    const { quota, period } = oci.linux.resources.cpu;
    expect(quota / period).toBe(hc.NanoCpus! / 1e9);
    expect(oci.linux.resources.pids.limit).toBe(hc.PidsLimit);
    expect(oci.process.rlimits).toEqual(hc.Ulimits!.map((u) => ({ type: `RLIMIT_${u.Name!.toUpperCase()}`, soft: u.Soft, hard: u.Hard })));
    expect(oci.process.rlimits.map((r) => r.type)).toEqual(['RLIMIT_NOFILE', 'RLIMIT_FSIZE']);
  });

  it('runs as the same user with the same environment, working directory and command', () => {
    expect(docker.User).toBe(`${oci.process.user.uid}:${oci.process.user.gid}`);
    expect(oci.process.user).toEqual({ uid: 10001, gid: 10001, additionalGids: [] });
    expect(oci.process.cwd).toBe(docker.WorkingDir);
    expect(oci.process.args).toEqual(docker.Cmd);
    // Docker puts the image's variables under the job's; so does the OCI spec.
    expect(oci.process.env).toEqual(['PATH=/usr/bin:/bin', 'LANG=C.UTF-8', ...docker.Env!]);
    expect(docker.Env).toEqual(['SHELF_INPUT=/shelf/input.json', 'SHELF_OUTPUT=/shelf/output.json', 'SHELF_JOB_ID=abc123', 'HOME=/tmp']);
  });

  it('keeps no capability, gains no privilege, masks the same /proc and /sys paths', () => {
    expect(hc.CapDrop).toEqual(['ALL']);
    expect(hc.CapAdd).toEqual([]);
    expect(Object.values(oci.process.capabilities).every((set) => set.length === 0)).toBe(true);
    expect(hc.SecurityOpt).toEqual(['no-new-privileges']);
    expect(oci.process.noNewPrivileges).toBe(true);
    expect(oci.linux.maskedPaths).toEqual(hc.MaskedPaths);
    expect(oci.linux.readonlyPaths).toEqual(hc.ReadonlyPaths);
    expect(hc.MaskedPaths).toEqual([...MASKED_PATHS]);
    expect(hc.ReadonlyPaths).toEqual([...READONLY_PATHS]);
  });

  it('isolates pid, ipc, uts, mount and network, with Docker’s default seccomp profile', () => {
    expect(hc.NetworkMode).toBe('none');
    expect(oci.linux.namespaces.map((n) => n.type).sort()).toEqual(['ipc', 'mount', 'network', 'pid', 'uts']);
    expect(oci.linux.seccomp.defaultAction).toBe('SCMP_ACT_ERRNO');
    const allowed = new Set(oci.linux.seccomp.syscalls.filter((s) => s.action === 'SCMP_ACT_ALLOW' && !s.args).flatMap((s) => s.names));
    expect(allowed.has('read')).toBe(true);
    // Only with CAP_SYS_ADMIN, which no job has.
    for (const name of ['mount', 'unshare', 'setns', 'bpf', 'kexec_load']) expect(allowed.has(name)).toBe(false);
  });

  it('labels both with the job, worker and installation', () => {
    expect(oci.annotations).toEqual(docker.Labels);
    expect(docker.Labels).toEqual({ 'shelf.job': 'abc123', 'shelf.worker': 'w1', 'shelf.installation': 'shelf' });
  });

  it('has no OCI form for a job with network: those run on Docker', () => {
    expect(() => toOciSpec(sandboxPolicy({ ...spec, network: 'egress' }, policy), host)).toThrow(/egress jobs run on Docker/);
    expect(toDockerCreateOptions(sandboxPolicy({ ...spec, network: 'egress' }, policy)).HostConfig!.NetworkMode).toBe('bridge');
  });
});
