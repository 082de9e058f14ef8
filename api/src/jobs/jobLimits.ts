import { parseMemory, type JobLimits, type Manifest } from '@shelf/contract';

/** The server's ceilings (config.maxLimits). */
export interface MaxLimits {
  memory: string;
  cpus: number;
  pids: number;
  timeoutSeconds: number;
}

/** What a manifest gets when it does not ask. */
export const defaultLimits = { memory: '256Mi', cpus: 0.5, pids: 128, timeoutSeconds: 300 } as const;

/** Docker refuses memory limits under 6 MB; a smaller request would only fail at start. */
const dockerMinimumMemory = 6 * 1024 * 1024;

/** The limits a job runs with: the manifest's requests (or defaults), capped by the server maximums. */
export function applyLimits(manifest: Manifest, max: MaxLimits): JobLimits {
  const asked = manifest.resources ?? {};
  const memoryBytes = Math.min(parseMemory(asked.memory ?? defaultLimits.memory), parseMemory(max.memory));
  return {
    memoryBytes: Math.max(memoryBytes, dockerMinimumMemory),
    cpus: Math.min(asked.cpus ?? defaultLimits.cpus, max.cpus),
    pids: Math.min(asked.pids ?? defaultLimits.pids, max.pids),
    timeoutSeconds: Math.min(manifest.timeout ?? defaultLimits.timeoutSeconds, max.timeoutSeconds),
  };
}
