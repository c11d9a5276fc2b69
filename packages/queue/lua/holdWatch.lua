--[[
  KEYS[1] the member's held watches: a sorted set of slot ids, each scored by when its lease ends
          (milliseconds on Redis's own clock, so API processes with skewed clocks agree)
  ARGV[1] most watches the member may hold   ARGV[2] slot id   ARGV[3] lease (ms)
  Takes a slot when fewer than ARGV[1] leases are running: {1, 0}. Otherwise {0, ms until the
  soonest lease ends}. A slot is given back with ZREM; one whose process died ends with its lease.
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local soonest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(soonest[2]) - now}
end
local lease = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now + lease, ARGV[2])
-- The set outlives its longest lease and no more: a member who stops watching leaves nothing behind.
if redis.call('PTTL', KEYS[1]) < lease then
  redis.call('PEXPIRE', KEYS[1], lease)
end
return {1, 0}
