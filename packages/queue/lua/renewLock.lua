--[[
  KEYS[1] lock   ARGV[1] token   ARGV[2] lifetime in ms
  Returns 1 when still held with this token (and extended), else 0.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
