--[[
  KEYS    lists (each ticket's wait list)
  Returns their lengths in the order given: the queue-depth gauges of a whole /metrics scrape read
  in one command instead of one LLEN per ticket.
]]
local lengths = {}
for i, key in ipairs(KEYS) do
  lengths[i] = redis.call('LLEN', key)
end
return lengths
