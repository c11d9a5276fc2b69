--[[
  The oldest requests of a ticket's BullMQ wait list, oldest first, left where they are: they
  leave the list only when completeBatch stores their results, so a holder that dies or loses
  its lock leaves them, in order, to the next. A holder reading ahead while its batch commits
  skips that batch, which must still be the oldest requests: if it is not (completed meanwhile),
  skipping its length would skip requests nobody has decided, so the answer is empty instead.
  KEYS[1] lock   KEYS[2] wait list (BullMQ pushes new jobs on the left)
  ARGV[1] token   ARGV[2] most requests   ARGV[3] job key prefix
  ARGV[4] how many of the oldest to skip (0: none)   ARGV[5] the jobId of the last one skipped
  Returns false when the lock is not held with ARGV[1], else {jobId, data or false, ...}.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return false
end
local skip = tonumber(ARGV[4])
if skip > 0 and redis.call('LINDEX', KEYS[2], -skip) ~= ARGV[5] then
  return {}
end
local ids = redis.call('LRANGE', KEYS[2], -(skip + tonumber(ARGV[2])), -(skip + 1))
local out = {}
for i = #ids, 1, -1 do
  local id = ids[i]
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', ARGV[3] .. id, 'data') or false
end
return out
