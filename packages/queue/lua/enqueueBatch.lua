--[[
  Puts admitted requests of one ticket into its BullMQ queue, in the order given, and gives each
  its sequence number in the ticket's line (G11) in the same step, so sequence order is queue
  order. The job is stored as BullMQ's addStandardJob stores one (hash, 'added' and 'waiting'
  events, pushed on the left of the wait list), so Bull Board and Job.fromId read it as theirs.
  The sequence goes into the job data under names a reader of Bull Board understands:
  `acceptedBefore` (the sequence: requests of the ticket accepted before this one, ever) and
  `positionAtAcceptance` (of those, the ones not yet decided: the position its 202 reported).
  Both are written once, here; the position now is acceptedBefore minus the line's decided count,
  which no one writes into the jobs (that would be a write per waiting job per batch).
  KEYS[1] wait   KEYS[2] events stream   KEYS[3] the ticket's line (hash: admitted, decided)
  KEYS[4] the ticket's recent pace (decisions per second, set by the workers, expiring)
  ARGV[1] job key prefix   ARGV[2] timestamp ms
  then 2 values per request, from ARGV[3]: requestId, job data as JSON without its closing brace
  (the two places are added here)
  Returns {decided, pace or '', sequence1, sequence2, ...}. A request whose job exists already is
  not added again (enqueueing is idempotent) and answers the sequence it was given (`sequence` in
  jobs written before the field was renamed), or -1 when its job has none.
]]
local prefix, now = ARGV[1], ARGV[2]
local sequences = {}
-- No decision is made while this script runs: one reading serves every request of the call.
local decided = tonumber(redis.call('HGET', KEYS[3], 'decided') or '0')
for i = 3, #ARGV, 2 do
  local id, data = ARGV[i], ARGV[i + 1]
  local jobKey = prefix .. id
  local existing = redis.call('HGET', jobKey, 'data')
  if existing then
    local ok, parsed = pcall(cjson.decode, existing)
    local given = ok and type(parsed) == 'table' and (parsed.acceptedBefore or parsed.sequence)
    sequences[#sequences + 1] = tonumber(given) or -1
  else
    local sequence = redis.call('HINCRBY', KEYS[3], 'admitted', 1) - 1
    local places = ',"acceptedBefore":' .. sequence .. ',"positionAtAcceptance":' .. math.max(0, sequence - decided) .. '}'
    redis.call('HSET', jobKey, 'name', 'issue', 'data', data .. places,
      'opts', '{"removeOnComplete":false,"removeOnFail":false}', 'timestamp', now, 'delay', 0, 'priority', 0)
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', 10000, '*', 'event', 'added', 'jobId', id, 'name', 'issue')
    redis.call('LPUSH', KEYS[1], id)
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', 10000, '*', 'event', 'waiting', 'jobId', id)
    sequences[#sequences + 1] = sequence
  end
end
local answer = {decided, redis.call('GET', KEYS[4]) or ''}
for _, sequence in ipairs(sequences) do
  answer[#answer + 1] = sequence
end
return answer
