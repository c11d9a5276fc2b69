--[[
  Admission of one ticket's submissions, in the order given, in one atomic step: one request per
  member, and the fast refusals (outside the sales window, sold out).
  KEYS[1] the ticket's members hash (memberId -> requestId)
  KEYS[2] the ticket's sold-out flag
  KEYS[3] the ticket's ended flag (removeState.lua): its Redis state was removed after the sale
          ended, so every submission is answered {'ENDED', ''} and the API asks the database
  ARGV[1] ticketId
  ARGV[2] the ticket row's generation (40 hex, kept in the database, never shown): its first 8 hex
          are the epoch written into every request id (and into the keys' names); the whole value
          seals ids, so an id whose job is gone (Redis lost it) can be told from a made-up one or
          from one of an earlier row with the same id, from the database alone
  then 4 values per submission, from ARGV[3]: memberId, sales window (OPEN, NOT_OPEN, CLOSED),
  the ticket's totalQuantity, random nonce of a new request id (8 hex)
  Returns {kind1, value1, kind2, value2, ...}, one pair per submission, in order:
  {'EXISTING', requestId} | {'REFUSED', code} | {'ADMITTED', requestId} | {'ENDED', ''}
  The earlier request wins over every refusal: a member who asked gets that request back, sold
  out or not. Once as many members as the stock are admitted, every unit is spoken for (each
  admitted member is distinct and ahead in the queue), so a newcomer is SOLD_OUT at once and the
  queue never holds more than the stock. Each submission sees the ones before it: a member twice
  in one call is EXISTING the second time, and every ADMITTED counts towards the stock.
]]
local answers = {}
for i = 3, #ARGV, 4 do
  local memberId, window, totalQuantity, nonce = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local kind, value
  local existing = redis.call('HGET', KEYS[1], memberId)
  if redis.call('EXISTS', KEYS[3]) == 1 then
    kind, value = 'ENDED', ''
  elseif existing then
    kind, value = 'EXISTING', existing
  elseif window ~= 'OPEN' then
    kind, value = 'REFUSED', window
  elseif redis.call('EXISTS', KEYS[2]) == 1 or redis.call('HLEN', KEYS[1]) >= tonumber(totalQuantity) then
    kind, value = 'REFUSED', 'SOLD_OUT'
  else
    local secret = ARGV[2]
    local unsealed = ARGV[1] .. '-' .. memberId .. '-' .. string.sub(secret, 1, 8) .. '-' .. nonce
    local requestId = unsealed .. string.sub(redis.sha1hex(secret .. ':' .. unsealed), 1, 8)
    redis.call('HSET', KEYS[1], memberId, requestId)
    kind, value = 'ADMITTED', requestId
  end
  answers[#answers + 1] = kind
  answers[#answers + 1] = value
end
return answers
