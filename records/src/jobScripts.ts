import { activeStates } from '@shelf/contract';
import { detailFields } from './jobLayout.js';
import { luaList, prelude } from './summaryLua.js';

// Every Lua script that touches a job, defined once. Each change of a job is one script that also
// publishes what changed, so a change and its event can never be separated, and a listing, a
// detail and an event are built by the same summary function.

/**
 * Lua to keep a job's entry in its item's per-state index and that index's count in step: the
 * count moves only when the entry really came or went, so running twice never counts twice.
 * `layout` holds the key parts: per-item index prefix, what follows the item id before the state,
 * per-state count hash prefix.
 */
export const itemStateIndex = `
local function itemStateIndex(layout, add, item, state, score, id)
  local key, counts = layout[1] .. item .. layout[2] .. state, layout[3] .. state
  if add then
    if redis.call('ZADD', key, score, id) == 1 then redis.call('HINCRBY', counts, item, 1) end
  elseif redis.call('ZREM', key, id) == 1 and redis.call('HINCRBY', counts, item, -1) <= 0 then
    redis.call('HDEL', counts, item)
  end
end
`;

/**
 * Lua to keep a job's entry in its submitter's set of active jobs (the per-user limit's count):
 * in it while its state is one of the activeStates, out of it otherwise. Idempotent.
 */
export const submitterActiveIndex = `
local activeStates = {}
for _, s in ipairs(${luaList(activeStates)}) do activeStates[s] = true end
local function submitterActiveIndex(activePrefix, user, state, score, id)
  if not user or user == '' then return end
  if activeStates[state] then
    redis.call('ZADD', activePrefix .. user, score, id)
  else
    redis.call('ZREM', activePrefix .. user, id)
  end
end
`;

/**
 * Lua to move a job's id from state \`from\` to \`to\` in the per-state, per-item-and-state and
 * submitter's active indexes; the hash's own \`state\` is the caller's to set, with the other
 * fields of the change. Answers the id and its score (the creation time).
 */
export const moveStateIndexes = `${itemStateIndex}${submitterActiveIndex}
local function moveStateIndexes(key, statePrefix, layout, activePrefix, from, to)
  local row = redis.call('HMGET', key, 'id', 'createdMs', 'itemId', 'submittedById')
  local id, score, item = row[1], row[2], row[3]
  redis.call('ZREM', statePrefix .. from, id)
  redis.call('ZADD', statePrefix .. to, score, id)
  if item then
    itemStateIndex(layout, false, item, from, score, id)
    itemStateIndex(layout, true, item, to, score, id)
  end
  submitterActiveIndex(activePrefix, row[4], to, score, id)
  return id, score
end
`;

/**
 * A new job, QUEUED or AWAITING_APPROVAL: its hash, its indexes (for the latter also the inbox of
 * each approver principal) and its first event — unless the submitter already has their most
 * active jobs, or their stored inputs would pass their quota, both checked (and counted) in the
 * same step.
 * KEYS[1] job hash · KEYS[2..5] indexes scored by creation time: all, its state, item, user ·
 * KEYS[6] ids by prefix · KEYS[7] job id → item id · KEYS[8] input bytes by user ·
 * KEYS[9] the job's sealed secret inputs · KEYS[10] the submitter's active jobs ·
 * ARGV[1] events channel · ARGV[2] id · ARGV[3] creation time in ms · ARGV[4] item id · ARGV[5] state ·
 * ARGV[6..8] the per-item-and-state layout · ARGV[9] the submitter's id · ARGV[10] the inputs' bytes ·
 * ARGV[11] the most input bytes one user's jobs may hold (0: no limit) · ARGV[12] the approval inbox
 * prefix · ARGV[13] the sealed secret inputs ('' for none) · ARGV[14] the most active jobs one user
 * may have (0: no limit) · ARGV[15..] field, value pairs
 * Answers the summary, or {'active', jobs active} / {'inputs', bytes already used} when a limit
 * refuses (nothing written).
 */
export const createJobLua = String.raw`${prelude}${itemStateIndex}
local bytes, limit, maxActive = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[14])
if ARGV[9] ~= '' then
  if maxActive > 0 then
    local active = redis.call('ZCARD', KEYS[10])
    if active >= maxActive then return {'active', active} end
  end
  local used = tonumber(redis.call('HGET', KEYS[8], ARGV[9]) or '0')
  if limit > 0 and used + bytes > limit then return {'inputs', used} end
  redis.call('HINCRBY', KEYS[8], ARGV[9], bytes)
  redis.call('HSET', KEYS[1], 'inputBytes', bytes)
  redis.call('ZADD', KEYS[10], ARGV[3], ARGV[2])
end
redis.call('HSET', KEYS[1], unpack(ARGV, 15))
if ARGV[13] ~= '' then redis.call('SET', KEYS[9], ARGV[13]) end
for i = 2, 5 do redis.call('ZADD', KEYS[i], ARGV[3], ARGV[2]) end
local inboxes = redis.call('HGET', KEYS[1], 'approverIndex')
if inboxes then
  for _, principal in ipairs(cjson.decode(inboxes)) do redis.call('ZADD', ARGV[12] .. principal, ARGV[3], ARGV[2]) end
end
redis.call('ZADD', KEYS[6], 0, ARGV[2])
redis.call('HSET', KEYS[7], ARGV[2], ARGV[4])
itemStateIndex({ARGV[6], ARGV[7], ARGV[8]}, true, ARGV[4], ARGV[5], ARGV[3], ARGV[2])
local summary = summaryOf(KEYS[1])
redis.call('PUBLISH', ARGV[1], summary)
return summary
`;

/**
 * A state change: only from one of the allowed states; moves the id between the per-state,
 * per-item-and-state and submitter's active indexes, sets the fields and publishes the new summary.
 * KEYS[1] job hash · ARGV[1] per-state index prefix · ARGV[2..4] the per-item-and-state layout ·
 * ARGV[5] the per-user active index prefix · ARGV[6] events channel · ARGV[7] new state ·
 * ARGV[8] allowed current states, comma-separated · ARGV[9] n, fields to answer ·
 * ARGV[10..9+n] those fields · then field, value pairs to set.
 * Answers false when the job was not in an allowed state (nothing changed, nothing published),
 * else { summary, the asked fields' values… }.
 */
export const transitionJobLua = String.raw`${prelude}${moveStateIndexes}
local current = redis.call('HGET', KEYS[1], 'state')
if not current then return false end
local allowed = false
for s in string.gmatch(ARGV[8], '([^,]+)') do
  if s == current then allowed = true end
end
if not allowed then return false end
local to = ARGV[7]
moveStateIndexes(KEYS[1], ARGV[1], {ARGV[2], ARGV[3], ARGV[4]}, ARGV[5], current, to)
local n = tonumber(ARGV[9])
local set = {'HSET', KEYS[1], 'state', to}
for i = 10 + n, #ARGV do set[#set + 1] = ARGV[i] end
call(set)
local summary = summaryOf(KEYS[1])
redis.call('PUBLISH', ARGV[6], summary)
local answer = {summary}
for i = 10, 9 + n do answer[#answer + 1] = redis.call('HGET', KEYS[1], ARGV[i]) end
return answer
`;

/**
 * Adds existing jobs to the indexes stores written before them lack — per item and state with its
 * counts, job id → item id, and the submitter's active jobs — each from its state at that moment:
 * a state change cannot slip in between, and a job already there is not counted again.
 * KEYS: job hashes · ARGV[1..3] the per-item-and-state layout · ARGV[4] the job id → item id hash ·
 * ARGV[5] the per-user active index prefix
 */
export const indexItemStateLua = `${itemStateIndex}${submitterActiveIndex}
for _, key in ipairs(KEYS) do
  local f = redis.call('HMGET', key, 'id', 'itemId', 'state', 'createdMs', 'submittedById')
  if f[1] and f[2] and f[3] and f[4] then
    itemStateIndex(ARGV, true, f[2], f[3], f[4], f[1])
    redis.call('HSET', ARGV[4], f[1], f[2])
    submitterActiveIndex(ARGV[5], f[5], f[3], f[4], f[1])
  end
end
return #KEYS
`;

/**
 * Progress only moves while the job runs: a late line from a container being killed must not
 * touch a finished job. KEYS[1] job hash · ARGV[1] events channel · ARGV[2] JSON JobProgress
 */
export const setProgressLua = String.raw`${prelude}
if redis.call('HGET', KEYS[1], 'state') ~= 'RUNNING' then return 0 end
redis.call('HSET', KEYS[1], 'progress', ARGV[2])
redis.call('PUBLISH', ARGV[1], summaryOf(KEYS[1]))
return 1
`;

/**
 * The container's start time, on a job that still exists (never recreating a pruned one).
 * KEYS[1] job hash · ARGV[1] milliseconds
 */
export const containerStartLua = `
if not redis.call('HGET', KEYS[1], 'state') then return 0 end
redis.call('HSET', KEYS[1], 'containerStartMs', ARGV[1])
return 1
`;

/**
 * Appends log lines under a byte cap (each line counts its newline, as in a file); seq numbers
 * are the list positions (first line is seq 1). Once the cap is reached one `system` line says so,
 * the log is closed (byte counter -1) and later lines are dropped. The stored entries are
 * published as one JSON array on the job's log channel.
 * KEYS[1] log list · KEYS[2] byte counter · ARGV[1] log channel · ARGV[2] cap in bytes ·
 * ARGV[3] ISO time · ARGV[4] '1' to close the log after these lines · ARGV[5..] stream, line pairs
 * Answers { entries stored, 1 if the log is closed now }.
 */
export const appendLogLua = `
local cap = tonumber(ARGV[2])
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if used < 0 then return {0, 1} end
local n = redis.call('LLEN', KEYS[1])
local out = {}
for i = 5, #ARGV, 2 do
  local line = ARGV[i + 1]
  if used + #line + 1 > cap then
    n = n + 1
    local marker = cjson.encode({seq = n, ts = ARGV[3], stream = 'system', line = 'log truncated: the job printed more than ' .. cap .. ' bytes; later lines were dropped'})
    redis.call('RPUSH', KEYS[1], marker)
    table.insert(out, marker)
    used = -1
    break
  end
  used = used + #line + 1
  n = n + 1
  local entry = cjson.encode({seq = n, ts = ARGV[3], stream = ARGV[i], line = line})
  redis.call('RPUSH', KEYS[1], entry)
  table.insert(out, entry)
end
if ARGV[4] == '1' then used = -1 end
redis.call('SET', KEYS[2], tostring(used))
if #out > 0 then redis.call('PUBLISH', ARGV[1], '[' .. table.concat(out, ',') .. ']') end
return {#out, used < 0 and 1 or 0}
`;

/** KEYS: job hashes. Answers each one's summary, false for a job that is gone. */
export const summariesLua = String.raw`${prelude}
local out = {}
for i, key in ipairs(KEYS) do out[i] = summaryOf(key) end
return out
`;

/**
 * KEYS[1] job hash · KEYS[2] its approval decisions. Answers false, or { summary, then the
 * detailFields: digest, inputs, exitCode, outputs, limits, runsOn, workerId, then the decisions as one JSON array }.
 */
export const detailLua = String.raw`${prelude}
local summary = summaryOf(KEYS[1])
if not summary then return false end
local answer = {summary, unpack(redis.call('HMGET', KEYS[1], unpack(${luaList(detailFields)})))}
answer[#answer + 1] = '[' .. table.concat(redis.call('LRANGE', KEYS[2], 0, -1), ',') .. ']'
return answer
`;

/**
 * Deletes one job and its log, but only if it has finished: the check and the deletion are
 * one step, so a queued or running job is never removed whatever happens meanwhile.
 * KEYS[1] job hash · KEYS[2] log · KEYS[3] log byte count · KEYS[4] all jobs · KEYS[5] id index ·
 * KEYS[6] job id → item id · KEYS[7] input bytes by user · KEYS[8] approval decisions ·
 * KEYS[9] sealed secret inputs · ARGV[1] per-state index prefix · ARGV[2] per-user index prefix · ARGV[3] the job id ·
 * ARGV[4] the index the id was found in (cleans an index entry whose hash is gone) ·
 * ARGV[5..7] the per-item-and-state layout (ARGV[5] is the per-item index prefix)
 * Answers 1 when deleted, 2 when only a stale index entry was removed, 0 when kept.
 */
export const deleteFinishedJobLua = `${itemStateIndex}
local fields = redis.call('HMGET', KEYS[1], 'state', 'itemId', 'submittedById', 'createdMs', 'inputBytes')
local state, itemId, userId = fields[1], fields[2], fields[3]
if not state then
  redis.call('HDEL', KEYS[6], ARGV[3])
  redis.call('ZREM', ARGV[4], ARGV[3])
  redis.call('ZREM', KEYS[4], ARGV[3])
  redis.call('ZREM', KEYS[5], ARGV[3])
  redis.call('DEL', KEYS[9])
  return 2
end
local finished = {SUCCEEDED = true, FAILED = true, CANCELLED = true, REJECTED = true, EXPIRED = true}
if not finished[state] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[8], KEYS[9])
redis.call('HDEL', KEYS[6], ARGV[3])
redis.call('ZREM', KEYS[4], ARGV[3])
redis.call('ZREM', KEYS[5], ARGV[3])
redis.call('ZREM', ARGV[1] .. state, ARGV[3])
if itemId then
  redis.call('ZREM', ARGV[5] .. itemId, ARGV[3])
  itemStateIndex({ARGV[5], ARGV[6], ARGV[7]}, false, itemId, state, fields[4], ARGV[3])
end
if userId and userId ~= '' then
  redis.call('ZREM', ARGV[2] .. userId, ARGV[3])
  -- Only jobs counted at creation are uncounted: older ones never were.
  if fields[5] and redis.call('HINCRBY', KEYS[7], userId, -tonumber(fields[5])) <= 0 then redis.call('HDEL', KEYS[7], userId) end
end
return 1
`;
