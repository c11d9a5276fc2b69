import { expect } from '@jest/globals';
import { redisAofRestart } from '../../scripts/faults/src/scenarios/redisAofRestart.js';
import { faultSuite } from './suite.js';

faultSuite(
  'Redis crashes and restarts from its AOF (appendfsync always) mid-drop: no acknowledged request lost',
  { redis: 'aof', mariadb: 'shared' },
  redisAofRestart,
  (report) => {
    expect(report.counts.forgotten).toBe(0);
    expect(report.counts.issued).toBe(1500);
  },
);
