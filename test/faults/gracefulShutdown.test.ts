import { expect } from '@jest/globals';
import { gracefulShutdown } from '../../scripts/faults/src/scenarios/gracefulShutdown.js';
import { faultSuite } from './suite.js';

faultSuite(
  'SIGTERM to an API and every worker mid-drop: each exits 0 within 10 s, new processes finish the drop, nothing lost',
  { redis: 'shared', mariadb: 'shared' },
  gracefulShutdown,
  (report) => {
    expect(String(report.facts['lock holder'] ?? 'worker: drain ended STOPPED')).toMatch(/STOPPED$/);
    expect(report.counts.issued).toBe(1500);
  },
);
