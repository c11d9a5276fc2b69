/**
 * Deliberate bugs in packages/queue/lua, each with the tests that must catch it. Stryker cannot
 * mutate Lua, so these are written by hand: each `from` must occur exactly once in its script,
 * and `tests` names a test file and a test-name pattern (Jest's -t) of the tests that kill it.
 */
const lock = 'packages/queue/test/ticketLock.test.ts';
const queue = 'packages/queue/test/issueQueue.test.ts';
const positions = 'packages/queue/test/positions.test.ts';

export const luaMutants = [
  // The lock and its fencing token.
  {
    name: 'acquire takes a held lock',
    script: 'acquireLock.lua',
    from: "if redis.call('EXISTS', KEYS[1]) == 1 then",
    to: "if redis.call('EXISTS', KEYS[1]) == 2 then",
    tests: { file: lock, names: 'is exclusive' },
  },
  {
    name: 'acquire forgets the clock floor of its tokens',
    script: 'acquireLock.lua',
    from: 'math.max(last + 1, clockMicros)',
    to: 'last + 1',
    tests: { file: lock, names: 'tokens keep growing' },
  },
  {
    name: 'renew extends a lock it does not hold',
    script: 'renewLock.lua',
    from: "if redis.call('GET', KEYS[1]) == ARGV[1] then",
    to: "if redis.call('GET', KEYS[1]) ~= ARGV[1] then",
    tests: { file: lock, names: 'expires after its lifetime|renewal keeps it held' },
  },
  {
    name: 'release deletes a lock it does not hold',
    script: 'releaseLock.lua',
    from: "if redis.call('GET', KEYS[1]) == ARGV[1] then",
    to: 'if true then',
    tests: { file: lock, names: 'expires after its lifetime' },
  },
  {
    name: 'raiseFence re-issues a lock it does not hold',
    script: 'raiseFence.lua',
    from: "if redis.call('GET', KEYS[1]) ~= ARGV[1] then",
    to: 'if false then',
    tests: { file: lock, names: 'raiseFence' },
  },
  {
    name: 'raiseFence hands out the floor itself',
    script: 'raiseFence.lua',
    from: 'math.max(last, tonumber(ARGV[2])) + 1',
    to: 'math.max(last, tonumber(ARGV[2]))',
    tests: { file: lock, names: 'raiseFence' },
  },
  // The peek: only to the holder, the oldest requests, oldest first.
  {
    name: 'peek answers without the lock',
    script: 'peekBatch.lua',
    from: "if redis.call('GET', KEYS[1]) ~= ARGV[1] then",
    to: 'if false then',
    tests: { file: queue, names: 'peek returns the oldest first' },
  },
  {
    name: 'peek hands out the batch newest first',
    script: 'peekBatch.lua',
    from: 'for i = #ids, 1, -1 do',
    to: 'for i = 1, #ids do',
    tests: { file: queue, names: 'peek returns the oldest first|peeked in the order' },
  },
  {
    name: 'peek takes the newest requests instead of the oldest',
    script: 'peekBatch.lua',
    from: "redis.call('LRANGE', KEYS[2], -(skip + tonumber(ARGV[2])), -(skip + 1))",
    to: "redis.call('LRANGE', KEYS[2], skip, skip + tonumber(ARGV[2]) - 1)",
    tests: { file: queue, names: 'peek returns the oldest first' },
  },
  {
    name: 'reading ahead does not skip the batch ahead',
    script: 'peekBatch.lua',
    from: '-(skip + tonumber(ARGV[2])), -(skip + 1))',
    to: '-tonumber(ARGV[2]), -1)',
    tests: { file: queue, names: 'reading ahead' },
  },
  {
    name: 'reading ahead skips a batch that has left the head of the queue',
    script: 'peekBatch.lua',
    from: "redis.call('LINDEX', KEYS[2], -skip) ~= ARGV[5]",
    to: 'false',
    tests: { file: queue, names: 'reading ahead' },
  },
  // The completion: only by the holder, removing exactly its batch from the wait list.
  {
    name: 'complete writes without the lock',
    script: 'completeBatch.lua',
    from: "if redis.call('GET', KEYS[1]) ~= ARGV[1] then",
    to: 'if false then',
    tests: { file: queue, names: 'refuses a stale holder' },
  },
  {
    name: 'complete leaves the batch in the wait list',
    script: 'completeBatch.lua',
    from: `if atTail then
  redis.call('RPOP', KEYS[2], count)`,
    to: `if false then
  redis.call('RPOP', KEYS[2], count)`,
    tests: { file: queue, names: 'removes exactly the batch' },
  },
  {
    name: 'complete counts a request already gone as decided',
    script: 'completeBatch.lua',
    from: `  local gone = 1
  if not atTail then
    gone = redis.call('LREM', KEYS[2], -1, id)
  end`,
    to: '  local gone = 1',
    tests: { file: positions, names: 'a redo counts nothing twice' },
  },
  {
    name: 'complete takes the tail as the batch without comparing them',
    script: 'completeBatch.lua',
    from: `    atTail = false
    break`,
    to: '    break',
    tests: { file: positions, names: 'a redo counts nothing twice' },
  },
  {
    name: 'complete pops the newest request instead of its own',
    script: 'completeBatch.lua',
    from: "redis.call('RPOP', KEYS[2], count)",
    to: "redis.call('LPOP', KEYS[2], count)",
    tests: { file: queue, names: 'removes exactly the batch' },
  },
  {
    name: 'complete never sets the sold-out flag',
    script: 'completeBatch.lua',
    from: "if ARGV[4] == '1' then",
    to: 'if false then',
    tests: { file: queue, names: 'sold-out batch sets the flag' },
  },
  {
    name: 'complete keeps the admission of a member that does not exist',
    script: 'completeBatch.lua',
    from: "if released ~= '' then",
    to: 'if false then',
    tests: { file: queue, names: 'gives its admission back' },
  },
  // Admission: one request per member, the sales window, and the stock.
  {
    name: 'admission forgets the member asked already',
    script: 'admitBatch.lua',
    from: 'if existing then',
    to: 'if false then',
    tests: { file: queue, names: 'one request per member' },
  },
  {
    name: 'admission ignores the sales window',
    script: 'admitBatch.lua',
    from: "elseif window ~= 'OPEN' then",
    to: 'elseif false then',
    tests: { file: queue, names: 'refuses outside the sales window' },
  },
  {
    name: 'admission ignores the sold-out flag',
    script: 'admitBatch.lua',
    from: "redis.call('EXISTS', KEYS[2]) == 1 or ",
    to: '',
    tests: { file: queue, names: 'refuses outside the sales window|sold-out batch sets the flag' },
  },
  {
    name: 'admission lets one member more than the stock in',
    script: 'admitBatch.lua',
    from: '>= tonumber(totalQuantity) then',
    to: '> tonumber(totalQuantity) then',
    tests: { file: queue, names: 'as many members as the stock' },
  },
];
