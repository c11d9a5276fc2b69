--[[
  One request per member per ticket, and the sold-out fast path, in one atomic step.
  KEYS[1] the ticket's members hash (memberId -> requestId)
  KEYS[2] the ticket's sold-out flag
  ARGV[1] memberId   ARGV[2] requestId to give a first request   ARGV[3] sales window (OPEN, NOT_OPEN, CLOSED)
  Returns {'EXISTING', requestId} | {'REFUSED', code} | {'ADMITTED', requestId}
  The earlier request wins over every refusal: a member who asked gets that request back, sold out or not.
]]
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then
  return {'EXISTING', existing}
end
if ARGV[3] ~= 'OPEN' then
  return {'REFUSED', ARGV[3]}
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {'REFUSED', 'SOLD_OUT'}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return {'ADMITTED', ARGV[2]}
