import { moveStateIndexes } from './jobScripts.js';
import { prelude } from './summaryLua.js';

// The scripts of a job's approval. A job leaves AWAITING_APPROVAL only through decideJobLua, so
// the inboxes it is listed in are emptied by the same step that moves it, and every way out —
// enough approvals, a rejection, the timeout, a withdrawal — has exactly one winner.

/**
 * One decision on a job awaiting approval.
 * KEYS[1] job hash · KEYS[2] its decisions list ·
 * ARGV[1] events channel · ARGV[2] per-state index prefix · ARGV[3..5] the per-item-and-state layout ·
 * ARGV[6] approval inbox prefix · ARGV[7] what: approve | reject | expire | withdraw | fail · ARGV[8] ISO time ·
 * ARGV[9] the approver's user id and ARGV[10] their decision as JSON (approve and reject only) ·
 * ARGV[11] JSON JobError of the job's end (all but approve) · ARGV[12] the per-user active index prefix
 * Answers false (no such job) · {'state', current} (not awaiting approval: nothing changed) ·
 * {'decided'} (this approver decided already: nothing changed) · {'recorded', summary} (an
 * approval counted, more are needed) · {'moved', summary} (the job left AWAITING_APPROVAL).
 * A change is published on the job events channel; a refusal publishes nothing.
 */
export const decideJobLua = String.raw`${prelude}${moveStateIndexes}
local current = redis.call('HGET', KEYS[1], 'state')
if not current then return false end
if current ~= 'AWAITING_APPROVAL' then return {'state', current} end
local what = ARGV[7]
if what == 'approve' or what == 'reject' then
  -- One decision per approver, however often they click.
  if redis.call('HSETNX', KEYS[1], 'decided:' .. ARGV[9], ARGV[8]) == 0 then return {'decided'} end
  redis.call('RPUSH', KEYS[2], ARGV[10])
end
local to = ({approve = 'QUEUED', reject = 'REJECTED', expire = 'EXPIRED', withdraw = 'CANCELLED', fail = 'FAILED'})[what]
if not to then return redis.error_reply('unknown decision ' .. what) end
if what == 'approve' then
  local approved = redis.call('HINCRBY', KEYS[1], 'approved', 1)
  local policy = cjson.decode(redis.call('HGET', KEYS[1], 'approval'))
  if approved < (tonumber(policy.minApprovals) or 1) then
    local summary = summaryOf(KEYS[1])
    redis.call('PUBLISH', ARGV[1], summary)
    return {'recorded', summary}
  end
end
local id = moveStateIndexes(KEYS[1], ARGV[2], {ARGV[3], ARGV[4], ARGV[5]}, ARGV[12], current, to)
for _, principal in ipairs(cjson.decode(redis.call('HGET', KEYS[1], 'approverIndex') or '[]')) do
  redis.call('ZREM', ARGV[6] .. principal, id)
end
if to == 'QUEUED' then
  redis.call('HSET', KEYS[1], 'state', to)
else
  redis.call('HSET', KEYS[1], 'state', to, 'finishedAt', ARGV[8], 'error', ARGV[11])
end
local summary = summaryOf(KEYS[1])
redis.call('PUBLISH', ARGV[1], summary)
return {'moved', summary}
`;

/**
 * The jobs awaiting one person's decision, newest first: those listed in any of their principals'
 * inboxes, less their own submissions and the ones they decided already.
 * KEYS: the inboxes of the person's principals · ARGV[1] job hash key prefix · ARGV[2] their user
 * id · ARGV[3] the most jobs to answer · ARGV[4] the most entries read per inbox
 * Answers the summaries.
 */
export const awaitingDecisionLua = String.raw`${prelude}
local seen, rows = {}, {}
for _, key in ipairs(KEYS) do
  local flat = redis.call('ZREVRANGE', key, 0, tonumber(ARGV[4]) - 1, 'WITHSCORES')
  for i = 1, #flat, 2 do
    if not seen[flat[i]] then
      seen[flat[i]] = true
      rows[#rows + 1] = {flat[i], tonumber(flat[i + 1])}
    end
  end
end
table.sort(rows, function(a, b)
  if a[2] ~= b[2] then return a[2] > b[2] end
  return a[1] > b[1]
end)
local out, limit = {}, tonumber(ARGV[3])
for _, row in ipairs(rows) do
  if #out >= limit then break end
  local key = ARGV[1] .. row[1]
  local f = redis.call('HMGET', key, 'state', 'submittedById', 'decided:' .. ARGV[2])
  if f[1] == 'AWAITING_APPROVAL' and f[2] ~= ARGV[2] and not f[3] then out[#out + 1] = summaryOf(key) end
end
return out
`;
