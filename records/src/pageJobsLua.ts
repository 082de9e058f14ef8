import { prelude } from './summaryLua.js';

/**
 * One page of a job listing, chosen inside Redis: the API says which sets to combine and gets
 * back the total and the page's summaries, in one round trip however many items a search matched.
 * Scratch sets are emptied before the script answers (nothing else runs meanwhile).
 *
 * A search with no filter but a state reads few sets whatever it matched: it counts the matched
 * items' jobs from the count hashes, then walks the newest jobs of the state (or of all) and keeps
 * those of the matched items, read a thousand job items per call. When matches are too rare for a
 * short walk, or a filter applies, the items' own sets are merged newest first instead; past the
 * merge budget they are merged into one set first.
 *
 * KEYS[1] all jobs · KEYS[2] id index · KEYS[3], KEYS[4] scratch sets · KEYS[5] job id → item id ·
 * KEYS[6] the set a search walks (the state's index, or all jobs) · then F filters (a job must be in
 * every one), G filters for the jobs found by id only, C count hashes whose counts per item, summed,
 * are the sources' sizes, and the sources: the jobs of each matched item (disjoint: a job has one item).
 * ARGV[1] offset · ARGV[2] page size · ARGV[3] F · ARGV[4] 'all' (no search: every job passing the
 * filters) or 'search' (only the sources' jobs and those whose id starts with ARGV[5]) · ARGV[5] id
 * prefix or '' · ARGV[6] at most this many id matches · ARGV[7] job hash key prefix · ARGV[8] the
 * most (sets × page end) merged set by set · ARGV[9] G · ARGV[10] C · ARGV[11] the longest walk
 * expected · ARGV[12..] the sources' item ids
 * Answers { total, summary… }, newest first (ZREVRANGE's order: score, then id, descending).
 */
export const pageJobsLua = String.raw`${prelude}
local offset, size = tonumber(ARGV[1]), tonumber(ARGV[2])
local nf, ng, nc = tonumber(ARGV[3]), tonumber(ARGV[9]), tonumber(ARGV[10])
local scratchA, scratchB, jobItems, walked = KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local filters, idFilters, countHashes, sources = {}, {}, {}, {}
local at = 7
local function take(list, n)
  for _ = 1, n do list[#list + 1] = KEYS[at]; at = at + 1 end
end
take(filters, nf); take(idFilters, ng); take(countHashes, nc)
for i = at, #KEYS do sources[#sources + 1] = KEYS[i] end
local itemIds = {unpack(ARGV, 12)}
local want = offset + size

local function answer(total, ids)
  local out = {total}
  for _, id in ipairs(ids) do
    local summary = summaryOf(ARGV[7] .. id)
    if summary then out[#out + 1] = summary end
  end
  redis.call('DEL', scratchA, scratchB)
  return out
end
local function pageOf(set)
  return answer(redis.call('ZCARD', set), redis.call('ZREVRANGE', set, offset, offset + size - 1))
end
-- Every index scores a job by its creation time, so MAX keeps that score.
local function combine(command, dest, sets)
  return call(append(append({command, dest, #sets}, sets), {'AGGREGATE', 'MAX'}))
end
local function narrow(set, dest, by)
  if #by == 0 then return set end
  combine('ZINTERSTORE', dest, append({set}, by))
  return dest
end
-- A union of more sets than one Lua call can pass, a thousand at a time.
local function unionInto(dest, sets)
  for i = 1, #sets, 1000 do
    local chunk = {unpack(sets, i, math.min(i + 999, #sets))}
    if i > 1 then chunk[#chunk + 1] = dest end
    combine('ZUNIONSTORE', dest, chunk)
  end
  return dest
end
local function itemsOf(ids)
  local items = {}
  for i = 1, #ids, 1000 do append(items, redis.call('HMGET', jobItems, unpack(ids, i, math.min(i + 999, #ids)))) end
  return items
end

redis.call('DEL', scratchA, scratchB)
if ARGV[4] == 'all' then
  if nf == 0 then return pageOf(KEYS[1]) end
  if nf == 1 then return pageOf(filters[1]) end
  return pageOf(narrow(filters[1], scratchA, {unpack(filters, 2)}))
end

-- Jobs whose id starts with the prefix, scored by creation time, narrowed like the rest.
local byId, idsCapped
if ARGV[5] ~= '' then
  local ids = redis.call('ZRANGEBYLEX', KEYS[2], '[' .. ARGV[5], '[' .. ARGV[5] .. '\255', 'LIMIT', 0, tonumber(ARGV[6]))
  idsCapped = #ids == tonumber(ARGV[6])
  for i = 1, #ids, 1000 do
    local chunk = {unpack(ids, i, math.min(i + 999, #ids))}
    local scores = redis.call('ZMSCORE', KEYS[1], unpack(chunk))
    local add = {'ZADD', scratchB}
    for j, id in ipairs(chunk) do
      if scores[j] then append(add, {scores[j], id}) end
    end
    if #add > 2 then call(add) end
  end
  narrow(scratchB, scratchB, append(append({}, filters), idFilters))
  if redis.call('ZCARD', scratchB) > 0 then byId = scratchB end
end
if #sources == 0 then
  if byId then return pageOf(byId) end
  return answer(0, {})
end
if #sources == 1 and not byId then return pageOf(narrow(sources[1], scratchA, filters)) end

local matched, counted, total = {}, {}, nil
for _, id in ipairs(itemIds) do matched[id] = true end
if nf == 0 and nc > 0 then
  for i = 1, #itemIds do counted[i] = 0 end
  for _, hash in ipairs(countHashes) do
    for i, n in ipairs(redis.call('HMGET', hash, unpack(itemIds))) do
      if n then counted[i] = counted[i] + tonumber(n) end
    end
  end
  total = 0
  for _, n in ipairs(counted) do total = total + n end
  -- A job found by id whose item matched too is in two sets: counted once, listed once.
  if byId then
    local ids = redis.call('ZRANGE', byId, 0, -1)
    total = total + #ids
    for _, item in ipairs(itemsOf(ids)) do
      if matched[item] then total = total - 1 end
    end
  end
  if total == 0 then return answer(0, {}) end
end

if total and not idsCapped then
  local scope = redis.call('ZCARD', walked)
  local expected = math.ceil(want * scope / total)
  if expected <= tonumber(ARGV[11]) then
    local prefix, chunk, pos, listed, ids = ARGV[5], math.min(1000, expected + 20), 0, 0, {}
    while listed < want and pos < scope and pos < 4 * tonumber(ARGV[11]) do
      local rows = redis.call('ZREVRANGE', walked, pos, pos + chunk - 1)
      if #rows == 0 then break end
      pos = pos + #rows
      local items = itemsOf(rows)
      for j, id in ipairs(rows) do
        if matched[items[j]] or (prefix ~= '' and string.sub(id, 1, #prefix) == prefix) then
          listed = listed + 1
          if listed > offset then ids[#ids + 1] = id end
          if listed == want then break end
        end
      end
    end
    -- Cut short only when the matches were far rarer near the top than on average: merge instead.
    if listed == want or pos >= scope then return answer(total, ids) end
  end
end

local sets = append({}, sources)
if byId then sets[#sets + 1] = byId end
if #sets * want > tonumber(ARGV[8]) then return pageOf(narrow(unionInto(scratchA, sets), scratchA, filters)) end

-- Merged set by set: the page needs at most the newest 'want' of each, read a few at a time as
-- the merge gets to them (a filtered set lives in scratch only until the next, so it is read at once).
local step = math.min(want, math.ceil(want / #sets) + 1)
local function fetch(list, count)
  local rows = redis.call('ZREVRANGE', list.set, list.fetched, list.fetched + count - 1, 'WITHSCORES')
  for i = 1, #rows, 2 do
    list.ids[#list.ids + 1] = rows[i]
    list.scores[#list.scores + 1] = tonumber(rows[i + 1])
  end
  list.fetched = list.fetched + #rows / 2
end
local lists, sum = {}, 0
for i, source in ipairs(sets) do
  local set = source == byId and byId or narrow(source, scratchA, filters)
  local n = counted[i] or redis.call('ZCARD', set)
  if n > 0 then
    sum = sum + n
    local list = {set = set, ids = {}, scores = {}, at = 1, fetched = 0, room = math.min(n, want)}
    fetch(list, set == scratchA and list.room or step)
    lists[#lists + 1] = list
  end
end
local ids, listed, last = {}, 0, nil
while listed < want do
  local best
  for _, list in ipairs(lists) do
    if list.at > #list.ids and list.fetched < list.room then fetch(list, math.min(step, list.room - list.fetched)) end
    local id = list.ids[list.at]
    if id and (not best or list.scores[list.at] > best.scores[best.at] or (list.scores[list.at] == best.scores[best.at] and id > best.ids[best.at])) then best = list end
  end
  if not best then break end
  local id = best.ids[best.at]
  best.at = best.at + 1
  if id ~= last then
    listed = listed + 1
    if listed > offset then ids[#ids + 1] = id end
    last = id
  end
end
-- Without the counts (a filter applied), the total is the sets' sizes less the jobs found twice.
if not total then
  total = sum
  if byId then
    for _, item in ipairs(itemsOf(redis.call('ZRANGE', byId, 0, -1))) do
      if matched[item] then total = total - 1 end
    end
  end
end
return answer(total, ids)
`;
