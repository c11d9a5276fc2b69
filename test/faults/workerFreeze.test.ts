import { expect } from '@jest/globals';
import { workerFreeze } from '../../scripts/faults/src/scenarios/workerFreeze.js';
import { faultSuite } from './suite.js';

faultSuite(
  'the lock holder frozen past LOCK_TTL_MS and resumed: another worker took over, the frozen one ends LOST, guarantees hold',
  { redis: 'shared', mariadb: 'shared' },
  workerFreeze,
  (report) => {
    expect(String(report.facts.takeover)).toMatch(/^worker-\d+ /);
    expect(String(report.facts['frozen worker drain ended'])).toMatch(/^LOST /);
    expect(report.counts.issued).toBe(1500);
  },
);
