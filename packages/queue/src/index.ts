export {
  createPipelinedClient,
  createRedis,
  createSubscriber,
  pingRedis,
  redisReady,
  redisSettingsOf,
  type RedisClient,
  type RedisSettings,
} from './redis.js';
export { RedisSubmissionQueue } from './submissionQueue.js';
export { RedisDrainQueue } from './drainQueue.js';
export { RedisTicketLock } from './ticketLock.js';
export { queueDepths, type QueueDepth } from './queueDepths.js';
export { SharedMetrics, type SharedMetricsSnapshot, type HistogramSnapshot, type DecisionOutcome } from './sharedMetrics.js';
export { bullQueueFor } from './bullQueues.js';
export { RedisWatchSlots, type WatchSlot } from './watchSlots.js';
export { queueName, ticketKeys, activeTicketsKey, activeEntry, parseRequestId } from './keys.js';
export { RedisWorkerPresence } from './workerPresence.js';
