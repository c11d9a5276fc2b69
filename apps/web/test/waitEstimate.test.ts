import { describe, expect, test } from '@jest/globals';
import { WaitEstimator } from '../src/waitEstimate.js';

describe('WaitEstimator', () => {
  test('no estimate from one sample or while the line stands still', () => {
    const estimator = new WaitEstimator();
    estimator.add(0, 100);
    expect(estimator.estimateMs()).toBeNull();
    estimator.add(1000, 100);
    expect(estimator.estimateMs()).toBeNull();
  });

  test('the remaining position at the rate it fell', () => {
    const estimator = new WaitEstimator();
    estimator.add(0, 100);
    estimator.add(2000, 80); // 10 a second
    expect(estimator.estimateMs()).toBe(8000);
  });

  test('only the last 30 s count: an early fast stretch does not hide a slow-down', () => {
    const estimator = new WaitEstimator();
    estimator.add(0, 1000);
    estimator.add(1000, 100); // 900 in the first second
    estimator.add(41_000, 90);
    estimator.add(61_000, 80); // then 1 every 2 s
    expect(estimator.estimateMs()).toBe(160_000);
  });
});
