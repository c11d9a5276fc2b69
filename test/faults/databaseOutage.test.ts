import { expect } from '@jest/globals';
import { databaseOutage } from '../../scripts/faults/src/scenarios/databaseOutage.js';
import { faultSuite } from './suite.js';

faultSuite(
  'the database down for 10 s mid-drop: seen members keep being accepted, /readyz names the database, then everything drains',
  { redis: 'shared', mariadb: 'private' },
  databaseOutage,
  (report) => {
    expect(report.facts['not acknowledged at once during the outage']).toBe(0);
    expect(report.counts.issued).toBe(1500);
  },
);
