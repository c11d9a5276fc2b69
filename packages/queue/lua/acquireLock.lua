--[[
  Takes a ticket's lock when free and hands out a fencing token.
  KEYS[1] lock   KEYS[2] fence (last token handed out)
  ARGV[1] lock lifetime in ms
  Tokens grow strictly, and never below Redis's clock in microseconds (below 2^53, exact as a
  double and as a BIGINT): a Redis that restarted empty keeps handing out tokens above every
  token given before, so a stale holder stays fenced off.
  Returns the token as a string, or false when the lock is held.
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  return false
end
local time = redis.call('TIME')
local clockMicros = tonumber(time[1]) * 1000000 + tonumber(time[2])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local token = string.format('%.0f', math.max(last + 1, clockMicros))
redis.call('SET', KEYS[2], token)
redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
return token
