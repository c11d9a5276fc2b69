--[[
  Re-issues a held lock with a token above floor (the database's last committed token).
  KEYS[1] lock   KEYS[2] fence
  ARGV[1] current token   ARGV[2] floor   ARGV[3] lifetime in ms
  Returns the new token as a string, or false when the lock is not held with ARGV[1].
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return false
end
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local token = string.format('%.0f', math.max(last, tonumber(ARGV[2])) + 1)
redis.call('SET', KEYS[2], token)
redis.call('SET', KEYS[1], token, 'PX', ARGV[3])
return token
