import { expect } from '@jest/globals';
import { redisEmptyRestart } from '../../scripts/faults/src/scenarios/redisEmptyRestart.js';
import { faultSuite } from './suite.js';

faultSuite(
  'Redis restarted EMPTY mid-drop: never more than the stock, no member twice, new requests work, forgotten requests say so',
  { redis: 'none', mariadb: 'shared' },
  redisEmptyRestart,
  (report) => {
    expect(report.counts.issued).toBeLessThanOrEqual(1500);
    // Requests were queued when Redis lost them, so the forgotten path was exercised.
    expect(report.facts['queued at the crash']).toBeGreaterThan(0);
  },
);
