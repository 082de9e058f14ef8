import type { Actor } from './auth.js';
import type { JobDetail, JobError, JobProgress, JobState, JobSummary } from './jobs.js';
import type { JobLimits } from './jobSchemas.js';

/**
 * How a job is stored: one Redis hash per job (`keys.job(id)`), every field a string;
 * JSON-valued fields are marked. Both api and worker read and write it, so its layout lives here.
 */
export interface JobHash {
  id: string;
  itemId: string;
  itemName: string;
  version: string;
  digest: string;
  state: JobState;
  /** JSON JobProgress */
  progress: string;
  createdAt: string;
  /** '' when not yet */
  startedAt: string;
  finishedAt: string;
  /** JSON JobError or '' */
  error: string;
  retryOf: string;
  /** JSON object */
  inputs: string;
  /** '' or an integer */
  exitCode: string;
  /** JSON object or '' */
  outputs: string;
  /** JSON JobLimits */
  limits: string;
  /** the creation time in ms, the score of every index */
  createdMs: string;
  /** The submitting user's id and name ('' for jobs from before identity). */
  submittedById: string;
  submittedByName: string;
}

const orNull = (s: string | undefined): string | null => (s ? s : null);
const jsonOr = <T>(s: string | undefined, fallback: T): T => (s ? (JSON.parse(s) as T) : fallback);

/** A stored hash as the summary lists and live events carry. */
export function toJobSummary(h: Record<string, string>): JobSummary {
  return {
    id: h.id!,
    itemId: h.itemId!,
    itemName: h.itemName!,
    version: h.version!,
    state: h.state as JobState,
    progress: jsonOr<JobProgress>(h.progress, { percent: 0, message: '' }),
    createdAt: h.createdAt!,
    startedAt: orNull(h.startedAt),
    finishedAt: orNull(h.finishedAt),
    error: jsonOr<JobError | null>(h.error, null),
    retryOf: orNull(h.retryOf),
    submittedBy: h.submittedById ? ({ id: h.submittedById, username: h.submittedByName ?? '' } satisfies Actor) : null,
  };
}

export function toJobDetail(h: Record<string, string>): JobDetail {
  return {
    ...toJobSummary(h),
    digest: h.digest!,
    inputs: jsonOr<Record<string, unknown>>(h.inputs, {}),
    exitCode: h.exitCode ? Number(h.exitCode) : null,
    outputs: jsonOr<Record<string, unknown> | null>(h.outputs, null),
    limits: jsonOr<JobLimits>(h.limits, { memoryBytes: 0, cpus: 0, pids: 0, timeoutSeconds: 0 }),
  };
}

/**
 * Atomic state change: succeeds only when the job is in one of the allowed states, moves the
 * id between the per-state indexes and sets the given fields. Returns 1 on success, 0 otherwise.
 *
 * KEYS[1] job hash · KEYS[2] prefix of the per-state index keys (`<prefix>:jobs:state:`)
 * ARGV[1] the new state · ARGV[2] comma-separated allowed current states
 * ARGV[3..] field, value pairs to set
 */
export const transitionJobLua = `
local current = redis.call('HGET', KEYS[1], 'state')
if not current then return 0 end
local allowed = false
for s in string.gmatch(ARGV[2], '([^,]+)') do
  if s == current then allowed = true end
end
if not allowed then return 0 end
local id = redis.call('HGET', KEYS[1], 'id')
local score = redis.call('HGET', KEYS[1], 'createdMs')
redis.call('ZREM', KEYS[2] .. current, id)
redis.call('ZADD', KEYS[2] .. ARGV[1], score, id)
redis.call('HSET', KEYS[1], 'state', ARGV[1])
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
return 1
`;

/**
 * Appends log lines under a byte cap (each line counts its newline, as in a file); seq numbers are the list positions (first line is seq 1).
 * Once the cap is reached one `system` line says so and later lines are dropped.
 *
 * KEYS[1] log list · KEYS[2] byte counter · ARGV[1] cap in bytes · ARGV[2] ISO time ·
 * ARGV[3..] alternating stream, line
 * Returns a flat array of the stored entries' JSON (with their seq), for publishing.
 */
export const appendLogLua = `
local cap = tonumber(ARGV[1])
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if used < 0 then return {} end
local n = redis.call('LLEN', KEYS[1])
local out = {}
for i = 3, #ARGV, 2 do
  local line = ARGV[i + 1]
  if used + #line + 1 > cap then
    n = n + 1
    local marker = cjson.encode({seq = n, ts = ARGV[2], stream = 'system', line = 'log truncated: the job printed more than ' .. cap .. ' bytes; later lines were dropped'})
    redis.call('RPUSH', KEYS[1], marker)
    table.insert(out, marker)
    used = -1
    break
  end
  used = used + #line + 1
  n = n + 1
  local entry = cjson.encode({seq = n, ts = ARGV[2], stream = ARGV[i], line = line})
  redis.call('RPUSH', KEYS[1], entry)
  table.insert(out, entry)
end
redis.call('SET', KEYS[2], tostring(used))
return out
`;
