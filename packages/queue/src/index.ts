export { createRedis, createSubscriber, pingRedis, redisReady, type RedisClient, type RedisSettings } from './redis.js';
export { RedisIssueQueue } from './issueQueue.js';
export { RedisTicketLock } from './ticketLock.js';
export { SharedMetrics, queueDepths, type SharedMetricsSnapshot, type HistogramSnapshot, type DecisionOutcome } from './sharedMetrics.js';
export { bullQueueFor } from './bullQueues.js';
export { queueName, ticketKeys, activeTicketsKey, parseRequestId } from './keys.js';
