--[[
  One bounded step of removing an ended ticket row's Redis state (retention, G10), by the holder
  of the ticket's lock.
  KEYS[1] lock   KEYS[2] wait   KEYS[3] completed   KEYS[4] failed   KEYS[5] members hash
  KEYS[6] sold-out flag   KEYS[7] ended flag   KEYS[8] fence
  ARGV[1] token   ARGV[2] lock lifetime in ms   ARGV[3] job key prefix   ARGV[4] most jobs per step
  ARGV[5] lifetime of the ended flag in s   ARGV[6..] the queue's other keys (BullMQ's), deleted last
  Returns 'LOST' when the lock is not held with ARGV[1] (nothing removed); 'QUEUED' when requests
  are waiting (nothing removed: the drain decides them first, then schedules the removal again);
  'MORE' after removing a bounded part; 'REMOVED' once everything but the lock is gone.
  The ended flag makes admitBatch.lua refuse every submission ENDED from the first step on (the
  API then answers from the database); it outlives the API's ticket cache, which then knows.
  Steps are bounded so one call never holds Redis long, whatever the ticket's size.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'LOST'
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('LLEN', KEYS[2]) > 0 then
  return 'QUEUED'
end
redis.call('SET', KEYS[7], '1', 'EX', ARGV[5])
redis.call('DEL', KEYS[5], KEYS[6])
local budget = tonumber(ARGV[4])
for _, finished in ipairs({ KEYS[3], KEYS[4] }) do
  local ids = redis.call('ZRANGE', finished, 0, budget - 1)
  if #ids > 0 then
    for _, id in ipairs(ids) do
      redis.call('DEL', ARGV[3] .. id)
    end
    redis.call('ZREM', finished, unpack(ids))
    budget = budget - #ids
    if budget <= 0 then
      return 'MORE'
    end
  end
end
redis.call('DEL', KEYS[3], KEYS[4], KEYS[8], unpack(ARGV, 6))
return 'REMOVED'
