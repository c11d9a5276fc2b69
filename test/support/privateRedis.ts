// One implementation for the fault tests and `npm run faults`: the workspace package owns it.
export { PrivateRedis, type RedisPersistence } from '../../scripts/faults/src/privateRedis.js';
