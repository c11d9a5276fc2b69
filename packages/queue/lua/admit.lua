--[[
  One request per member per ticket, and the fast SOLD_OUT answers, in one atomic step.
  KEYS[1] the ticket's members hash (memberId -> requestId)
  KEYS[2] the ticket's sold-out flag
  KEYS[3] the ticket's epoch secret (40 hex): made once, lost with the rest of the ticket's keys
          if Redis loses them. Its first 8 hex are the epoch written into every request id, so an
          id naming another epoch is a request Redis has forgotten; the whole value seals ids, so
          an id of this epoch whose job is gone (a failover that lost writes) can be told from a
          made-up one
  ARGV[1] ticketId   ARGV[2] memberId   ARGV[3] sales window (OPEN, NOT_OPEN, CLOSED)
  ARGV[4] the ticket's totalQuantity   ARGV[5] an epoch secret to use if the ticket has none
  ARGV[6] random nonce of a new request id (8 hex)
  Returns {'EXISTING', requestId} | {'REFUSED', code} | {'ADMITTED', requestId}
  The earlier request wins over every refusal: a member who asked gets that request back, sold
  out or not. Once as many members as the stock are admitted, every unit is spoken for (each
  admitted member is distinct and ahead in the queue), so a newcomer is SOLD_OUT at once and the
  queue never holds more than the stock.
]]
local existing = redis.call('HGET', KEYS[1], ARGV[2])
if existing then
  return {'EXISTING', existing}
end
if ARGV[3] ~= 'OPEN' then
  return {'REFUSED', ARGV[3]}
end
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then
  return {'REFUSED', 'SOLD_OUT'}
end
redis.call('SET', KEYS[3], ARGV[5], 'NX')
local secret = redis.call('GET', KEYS[3])
local unsealed = ARGV[1] .. '-' .. ARGV[2] .. '-' .. string.sub(secret, 1, 8) .. '-' .. ARGV[6]
local requestId = unsealed .. string.sub(redis.sha1hex(secret .. ':' .. unsealed), 1, 8)
redis.call('HSET', KEYS[1], ARGV[2], requestId)
return {'ADMITTED', requestId}
