-- Baseline (d): the gate most published FCFS coupon projects put in front of their database.
-- One call per request decides it at once, in the order calls reach Redis:
--   KEYS[1] the ticket's set of members who asked, KEYS[2] its issued counter, KEYS[3] its grant list
--   ARGV[1] member id, ARGV[2] stock
-- Returns -1: this member asked before; 0: sold out; n > 0: granted issue number n (pushed as
-- "member:n" for the consumer that writes the row later).
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then
  return -1
end
local issued = redis.call('INCR', KEYS[2])
if issued > tonumber(ARGV[2]) then
  -- Over the stock: take the increment back, so the counter stays the number granted.
  redis.call('DECR', KEYS[2])
  return 0
end
redis.call('RPUSH', KEYS[3], ARGV[1] .. ':' .. issued)
return issued
