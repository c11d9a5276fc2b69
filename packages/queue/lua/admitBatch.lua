--[[
  admit.lua for several submissions of one ticket in one call (the API's submissions of one event-
  loop turn). Each submission is decided exactly as admit.lua decides it, in the order given, and
  sees the ones before it: a member twice in one call is EXISTING the second time, and every
  ADMITTED counts towards the stock for the next. Request ids are built as admit.lua builds them.
  KEYS[1] the ticket's members hash   KEYS[2] its sold-out flag   KEYS[3] its epoch secret (see admit.lua)
  ARGV[1] ticketId   ARGV[2] an epoch secret to use if the ticket has none
  then 4 values per submission, from ARGV[3]: memberId, sales window (OPEN, NOT_OPEN, CLOSED),
  the ticket's totalQuantity, random nonce of a new request id (8 hex)
  Returns {kind1, value1, kind2, value2, ...}: admit.lua's answer for each submission, in order.
]]
local answers = {}
for i = 3, #ARGV, 4 do
  local memberId, window, totalQuantity, nonce = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local kind, value
  local existing = redis.call('HGET', KEYS[1], memberId)
  if existing then
    kind, value = 'EXISTING', existing
  elseif window ~= 'OPEN' then
    kind, value = 'REFUSED', window
  elseif redis.call('EXISTS', KEYS[2]) == 1 or redis.call('HLEN', KEYS[1]) >= tonumber(totalQuantity) then
    kind, value = 'REFUSED', 'SOLD_OUT'
  else
    redis.call('SET', KEYS[3], ARGV[2], 'NX')
    local secret = redis.call('GET', KEYS[3])
    local unsealed = ARGV[1] .. '-' .. memberId .. '-' .. string.sub(secret, 1, 8) .. '-' .. nonce
    local requestId = unsealed .. string.sub(redis.sha1hex(secret .. ':' .. unsealed), 1, 8)
    redis.call('HSET', KEYS[1], memberId, requestId)
    kind, value = 'ADMITTED', requestId
  end
  answers[#answers + 1] = kind
  answers[#answers + 1] = value
end
return answers
