// What tests, the fault scenarios, the load script and the benchmarks share: one copy of each.
// Processes and servers
export * from './freePort.js';
export * from './waitUntil.js';
export * from './ownedProcess.js';
export * from './launchNode.js';
export * from './startApi.js';
export * from './privateRedis.js';
export * from './privateMariadb.js';
export * from './localRedisCluster.js';
export * from './tcpProxy.js';
// Databases and Redis prefixes
export * from './databaseUrl.js';
export * from './testDatabase.js';
export * from './redisPrefix.js';
// Clients and the guarantee checks
export * from './timedHttp.js';
export * from './http.js';
export * from './tokens.js';
export * from './drop.js';
export * from './ledger.js';
export * from './ledgerEntry.js';
export * from './checkDrop.js';
export * from './checkRows.js';
export * from './checkFirstComeFirstServed.js';
export * from './checkQueueOrder.js';
export * from './readQueueOrder.js';
export * from './checkUnavailableAnswers.js';
