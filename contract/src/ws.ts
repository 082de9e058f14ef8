import type { JobSummary, LogStream } from './jobs.js';

/** The WebSocket path of live job events. */
export const wsJobsPath = '/ws/jobs';

/** Server → client messages on `/ws/jobs`. */
export type ServerMessage =
  | { type: 'job'; job: JobSummary }
  | { type: 'log'; jobId: string; seq: number; stream: LogStream; line: string; /** When the worker stored it (ISO 8601). */ ts?: string }
  | { type: 'subscribed'; jobId: string; seq: number }
  | { type: 'error'; message: string; jobId?: string };

/** Client → server messages on `/ws/jobs`. */
export type ClientMessage = { subscribe: string; after?: number } | { unsubscribe: string };

/** A frame's JSON object, or null when the frame is not one. */
function parseObject(raw: unknown): Record<string, unknown> | null {
  if (typeof raw !== 'string') return null;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Parses and checks one client frame; null when it is not a valid message. */
export function parseClientMessage(raw: string): ClientMessage | null {
  const v = parseObject(raw);
  if (!v) return null;
  if (typeof v.subscribe === 'string' && v.subscribe.length <= 128) {
    const after = v.after === undefined ? 0 : v.after;
    if (typeof after !== 'number' || !Number.isInteger(after) || after < 0) return null;
    return { subscribe: v.subscribe, after };
  }
  if (typeof v.unsubscribe === 'string' && v.unsubscribe.length <= 128) return { unsubscribe: v.unsubscribe };
  return null;
}

const logStreams = new Set(['stdout', 'stderr', 'system']);

/** Checks one server frame; null when it is not a message this client understands. */
export function parseServerMessage(raw: unknown): ServerMessage | null {
  const m = parseObject(raw);
  if (!m) return null;
  switch (m.type) {
    case 'job': {
      const job = m.job as Partial<JobSummary> | undefined;
      return job && typeof job.id === 'string' && typeof job.state === 'string' ? (m as ServerMessage) : null;
    }
    case 'log':
      return typeof m.jobId === 'string' && Number.isInteger(m.seq) && logStreams.has(m.stream as string) && typeof m.line === 'string'
        ? (m as ServerMessage)
        : null;
    case 'subscribed':
      return typeof m.jobId === 'string' && typeof m.seq === 'number' ? (m as ServerMessage) : null;
    case 'error':
      return typeof m.message === 'string' ? (m as ServerMessage) : null;
    default:
      return null;
  }
}
