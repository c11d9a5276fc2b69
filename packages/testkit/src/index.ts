export * from './guarantees.js';
export * from './http.js';
export * from './drop.js';
export * from './timedHttp.js';
export * from './redisPrefix.js';
