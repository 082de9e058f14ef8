import { readFile } from 'node:fs/promises';
import os from 'node:os';
import Docker from 'dockerode';
import { Redis } from 'ioredis';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  kernel: string;
  dockerVersion: string;
  redisVersion: string;
  nodeVersion: string;
  /** 1-minute load average when the run started and ended: other work on the machine skews figures. */
  loadAverage: { start: number; end?: number };
}

/** The machine the figures came from: they mean little without it. */
export async function machineInfo(docker: Docker, redisUrl: string): Promise<MachineInfo> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim();
  const version = await docker.version().catch(() => undefined);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const redisInfo = await redis.connect().then(() => redis.info('server'), () => '');
  redis.disconnect();
  return {
    cpuModel: model ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    kernel: `${os.type()} ${os.release()}`,
    dockerVersion: version?.Version ?? 'unreachable',
    redisVersion: /redis_version:(\S+)/.exec(redisInfo)?.[1] ?? 'unreachable',
    nodeVersion: process.version,
    loadAverage: { start: os.loadavg()[0]! },
  };
}

export function describeMachine(m: MachineInfo): string {
  const load = `load average ${m.loadAverage.start.toFixed(1)}${m.loadAverage.end === undefined ? '' : ` → ${m.loadAverage.end.toFixed(1)}`}`;
  return `${m.cpuModel}, ${m.cores} cores, ${(m.memoryBytes / 1024 ** 3).toFixed(1)} GiB RAM, ${m.kernel}, Docker ${m.dockerVersion}, Redis ${m.redisVersion}, Node ${m.nodeVersion} (${load})`;
}
