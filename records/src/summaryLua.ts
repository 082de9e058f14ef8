import type { JobHash } from './jobLayout.js';

export const luaList = (names: readonly string[]) => `{${names.map((n) => `'${n}'`).join(', ')}}`;

/**
 * How each field of the contract's JobSummary is made from the stored hash, in its key order:
 * `text` is left out when absent, `orNull` is null when empty, `json` is stored as JSON (its
 * default when empty; the `text` ones only some jobs have are stored only for them). `submittedBy` follows, from submittedById and submittedByName, then —
 * only for jobs that need approval — `approval`, the frozen policy with the count `approved`.
 */
const summaryEncoding: [keyof JobHash, 'text' | 'orNull' | 'json', string?][] = [
  ['id', 'text'],
  ['itemId', 'text'],
  ['itemName', 'text'],
  ['version', 'text'],
  ['state', 'text'],
  ['progress', 'json', '{"percent":0,"message":""}'],
  ['createdAt', 'text'],
  ['startedAt', 'orNull'],
  ['finishedAt', 'orNull'],
  ['error', 'json', 'null'],
  ['retryOf', 'orNull'],
  ['rerunOf', 'text'],
  ['scheduleId', 'text'],
];

const luaEncoding = `{${summaryEncoding.map(([name, kind, fallback]) => `{'${name}', '${kind}', '${fallback ?? ''}'}`).join(', ')}}`;

/**
 * Lua helpers every job script starts with, above all `summaryOf`: the one encoder of a job
 * summary, so that a listing, a detail and an event can never disagree. It runs for every event
 * and every listed job, so it writes each piece once into one table and skips cjson for the plain
 * strings most fields are.
 */
export const prelude = String.raw`
-- A Lua string as a JSON string, as JSON.stringify writes it. cjson escapes '/' as '\/', which
-- JSON.stringify does not: undo that (cjson escapes a backslash itself as '\\').
local function jsonString(s)
  if not string.find(s, '[%z\1-\31"\\/]') then return '"' .. s .. '"' end
  return (string.gsub(cjson.encode(s), '\\/', '/'))
end

-- Per summary field: what comes before its value, how it is encoded, its JSON default.
local SUMMARY, SUMMARY_FIELDS = {}, {}
for i, field in ipairs(${luaEncoding}) do
  SUMMARY[i] = {(i == 1 and '{"' or ',"') .. field[1] .. '":', field[2], field[3]}
  SUMMARY_FIELDS[i] = field[1]
end
SUMMARY_FIELDS[#SUMMARY + 1] = 'submittedById'
SUMMARY_FIELDS[#SUMMARY + 2] = 'submittedByName'
SUMMARY_FIELDS[#SUMMARY + 3] = 'approval'
SUMMARY_FIELDS[#SUMMARY + 4] = 'approved'

-- The job's summary as JSON; false when the job is gone.
local function summaryOf(key)
  local values = redis.call('HMGET', key, unpack(SUMMARY_FIELDS))
  if not values[1] then return false end
  local out, n = {}, 0
  for i = 1, #SUMMARY do
    local field, value = SUMMARY[i], values[i]
    local kind = field[2]
    if kind == 'text' then
      if value then out[n + 1], out[n + 2], n = field[1], jsonString(value), n + 2 end
    elseif value and value ~= '' then
      out[n + 1], out[n + 2], n = field[1], kind == 'json' and value or jsonString(value), n + 2
    else
      out[n + 1], out[n + 2], n = field[1], kind == 'json' and field[3] or 'null', n + 2
    end
  end
  local userId = values[#SUMMARY + 1]
  if userId and userId ~= '' then
    out[n + 1] = ',"submittedBy":{"id":' .. jsonString(userId) .. ',"username":' .. jsonString(values[#SUMMARY + 2] or '') .. '}'
  else
    out[n + 1] = ',"submittedBy":null'
  end
  -- The stored policy is a JSON object written by JSON.stringify: the count goes in before its last brace.
  local approval = values[#SUMMARY + 3]
  if approval and approval ~= '' then
    out[n + 2] = ',"approval":' .. string.sub(approval, 1, -2) .. ',"approved":' .. (values[#SUMMARY + 4] or '0') .. '}}'
  else
    out[n + 2] = '}'
  end
  return table.concat(out)
end

local function call(args) return redis.call(unpack(args)) end
local function append(list, more)
  for _, v in ipairs(more) do list[#list + 1] = v end
  return list
end
`;
