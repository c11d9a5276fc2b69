--[[
  The oldest requests of a ticket's BullMQ wait list, oldest first, left where they are: they
  leave the list only when completeBatch stores their results, so a holder that dies or loses
  its lock leaves them, in order, to the next.
  KEYS[1] lock   KEYS[2] wait list (BullMQ pushes new jobs on the left)
  ARGV[1] token   ARGV[2] most requests   ARGV[3] job key prefix
  Returns false when the lock is not held with ARGV[1], else {jobId, data or false, ...}.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return false
end
local ids = redis.call('LRANGE', KEYS[2], -tonumber(ARGV[2]), -1)
local out = {}
for i = #ids, 1, -1 do
  local id = ids[i]
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', ARGV[3] .. id, 'data') or false
end
return out
