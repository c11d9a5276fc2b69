// One implementation for the tests and `npm run cluster:up`: the workspace package owns it.
export { LocalRedisCluster, type SlotRange } from '../../scripts/redis-cluster/src/localCluster.js';
