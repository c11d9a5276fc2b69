import { getEventListeners } from 'node:events';
import { describe, expect, test } from '@jest/globals';
import { systemClock } from '../src/index.js';

/** The answer, or 'no answer' if it has not come within ms; its own timer is cleared, so it does not count in timers(). */
async function answerWithin<T>(promise: Promise<T>, ms: number): Promise<T | 'no answer'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'no answer'>((resolve) => {
    timer = setTimeout(() => resolve('no answer'), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

describe('systemClock', () => {
  test('now() is the wall clock and monotonicMs() the performance clock', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeInstanceOf(Date);
    expect(now.getTime()).toBeGreaterThanOrEqual(before);
    expect(now.getTime()).toBeLessThanOrEqual(Date.now());
    const monotonicBefore = performance.now();
    const monotonic = systemClock.monotonicMs();
    expect(typeof monotonic).toBe('number');
    expect(monotonic).toBeGreaterThanOrEqual(monotonicBefore);
    expect(monotonic).toBeLessThanOrEqual(performance.now());
  });

  test('sleep() resolves after ms, with or without a signal, and leaves no listener on the signal', async () => {
    const startedAt = performance.now();
    expect(
      await answerWithin(
        systemClock.sleep(20).then(() => 'slept'),
        1000,
      ),
    ).toBe('slept');
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(15);
    const signal = new AbortController().signal;
    expect(
      await answerWithin(
        systemClock.sleep(5, signal).then(() => 'slept'),
        1000,
      ),
    ).toBe('slept');
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  test('sleep() wakes as soon as its signal aborts, and cancels its timer', async () => {
    const stop = new AbortController();
    const timersBefore = timers();
    const sleeping = systemClock.sleep(60_000, stop.signal).then(() => 'woken');
    expect(timers()).toBe(timersBefore + 1);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    stop.abort();
    expect(await answerWithin(sleeping, 1000)).toBe('woken');
    expect(timers()).toBe(timersBefore);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });

  test('sleep() with a signal that has already aborted resolves at once, with no timer', async () => {
    const stop = new AbortController();
    stop.abort();
    const timersBefore = timers();
    const sleeping = systemClock.sleep(60_000, stop.signal).then(() => 'woken');
    expect(timers()).toBe(timersBefore);
    expect(await answerWithin(sleeping, 1000)).toBe('woken');
  });
});
