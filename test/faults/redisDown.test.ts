import { expect } from '@jest/globals';
import { redisDown } from '../../scripts/faults/src/scenarios/redisDown.js';
import { faultSuite } from './suite.js';

faultSuite(
  'Redis down mid-drop: every submission answered 503 QUEUE_UNAVAILABLE with Retry-After within 1 s, /readyz names Redis, both sides recover by themselves',
  { redis: 'aof', mariadb: 'shared' },
  redisDown,
  (report) => {
    expect(report.facts['503 QUEUE_UNAVAILABLE answers']).toBeGreaterThan(0);
    expect(report.counts.issued).toBe(1500);
  },
);
