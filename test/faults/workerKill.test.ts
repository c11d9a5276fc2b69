import { expect } from '@jest/globals';
import { workerKill } from '../../scripts/faults/src/scenarios/workerKill.js';
import { faultSuite } from './suite.js';

faultSuite(
  'the lock holder SIGKILLed three times mid-drain: nothing lost, nothing doubled, first come first served',
  { redis: 'shared', mariadb: 'shared' },
  workerKill,
  (report) => {
    expect(report.facts.kills).toBe(3);
    expect(report.counts.issued).toBe(1500);
  },
);
