import { expect } from '@jest/globals';
import { redisClusterFailover } from '../../scripts/faults/src/scenarios/redisClusterFailover.js';
import { faultSuite } from './suite.js';

faultSuite(
  "Redis Cluster: the hot ticket's master SIGKILLed mid-drain, its replica takes over: no over-issue, no member twice, nothing left pending",
  { redis: 'cluster', mariadb: 'shared' },
  redisClusterFailover,
  (report) => {
    expect(report.counts.issued).toBeLessThanOrEqual(1500);
    expect(report.facts['issued when the master died']).toBeGreaterThan(0);
  },
);
