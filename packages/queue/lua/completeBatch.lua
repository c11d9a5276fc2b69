--[[
  Stores the results of the oldest requests the way BullMQ stores a finished job (so Bull Board,
  Job.fromId and getState see them), then removes them from the wait list. The events stream
  names each finished job without its result: the job hash keeps the result, once (issue 13).
  KEYS[1] lock   KEYS[2] wait   KEYS[3] completed   KEYS[4] failed   KEYS[5] events stream
  KEYS[6] sold-out flag   KEYS[7] the ticket's members hash (admissions)
  KEYS[8] the ticket's line (hash: admitted, decided, issued, rejected, failed)   KEYS[9] its pace
  ARGV[1] token   ARGV[2] job key prefix   ARGV[3] timestamp ms   ARGV[4] 1 when the ticket is sold out
  ARGV[5] the drainer's recent decisions per second ('' when it has no measure yet)
  ARGV[6..] quintuples: jobId, status (ISSUED, REJECTED, FAILED), result JSON, failed reason
            ('' unless FAILED), memberId whose admission to give back ('' unless the member
            turned out not to exist: its place in the stock count goes to whoever asks next)
  Returns 0 when the lock is not held with ARGV[1] (nothing written), else {1, decided}: the
  ticket's decided count after this batch, counting each request once, when it leaves the wait
  list, so positions (sequence - decided) never rise.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
local prefix = ARGV[2]
local now = ARGV[3]
local count = (#ARGV - 5) / 5
local removed = {ISSUED = 0, REJECTED = 0, FAILED = 0}
-- Finished jobs go into their sorted set in one ZADD per set (in slices of 200 pairs: Lua's
-- unpack has a stack limit).
local finished = {completed = {}, failed = {}}
local function addAll(key, entries)
  for first = 1, #entries, 400 do
    redis.call('ZADD', key, unpack(entries, first, math.min(first + 399, #entries)))
  end
end
-- Only the lock holder takes from the right end, so the batch is normally the list's tail, oldest
-- last: then one RPOP takes it. Otherwise (a request already gone) each is looked for on its own.
local tail = count > 0 and redis.call('LRANGE', KEYS[2], -count, -1) or {}
local atTail = count > 0 and #tail == count
for n = 1, count do
  if tail[count + 1 - n] ~= ARGV[1 + 5 * n] then
    atTail = false
    break
  end
end
for i = 6, #ARGV, 5 do
  local id, status, result, failedReason, released = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  if released ~= '' then
    redis.call('HDEL', KEYS[7], released)
  end
  local jobKey = prefix .. id
  local event = failedReason == '' and 'completed' or 'failed'
  redis.call('HSET', jobKey, 'returnvalue', result, 'processedOn', now, 'finishedOn', now, 'atm', 1, 'ats', 1)
  if failedReason ~= '' then
    redis.call('HSET', jobKey, 'failedReason', failedReason)
  end
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', 10000, '*', 'event', event, 'jobId', id, 'prev', 'waiting')
  local entries = finished[event]
  entries[#entries + 1] = now
  entries[#entries + 1] = id
  local gone = 1
  if not atTail then
    gone = redis.call('LREM', KEYS[2], -1, id)
  end
  removed[status] = removed[status] + gone
end
if atTail then
  redis.call('RPOP', KEYS[2], count)
end
addAll(KEYS[3], finished.completed)
addAll(KEYS[4], finished.failed)
if ARGV[4] == '1' then
  redis.call('SET', KEYS[6], '1')
end
local decided = removed.ISSUED + removed.REJECTED + removed.FAILED
for status, count in pairs(removed) do
  if count > 0 then
    redis.call('HINCRBY', KEYS[8], string.lower(status), count)
  end
end
if ARGV[5] ~= '' then
  redis.call('SET', KEYS[9], ARGV[5], 'PX', 5000)
end
return {1, redis.call('HINCRBY', KEYS[8], 'decided', decided)}
