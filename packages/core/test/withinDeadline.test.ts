import { describe, expect, test } from '@jest/globals';
import { withinDeadline } from '../src/index.js';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const never = new Promise<string>(() => undefined);

/** The answer, or 'no answer' if it has not come within ms of real time (a mutant that hangs fails fast). */
function answerWithin<T>(promise: Promise<T>, ms: number): Promise<T | 'no answer'> {
  return Promise.race([promise, pause(ms).then(() => 'no answer' as const)]);
}

describe('withinDeadline', () => {
  test('answers with the work’s value when it settles in time, and never asks late()', async () => {
    let lateCalls = 0;
    const late = () => {
      lateCalls += 1;
      return 'late';
    };
    expect(
      await answerWithin(
        withinDeadline(
          pause(5).then(() => 'done'),
          200,
          late,
        ),
        1000,
      ),
    ).toBe('done');
    await pause(250); // past the deadline: the timer was cleared with the answer
    expect(lateCalls).toBe(0);
  });

  test('passes the work’s failure on when it fails in time', async () => {
    const failure = new Error('refused');
    await expect(withinDeadline(Promise.reject(failure), 200, () => 'late')).rejects.toBe(failure);
  });

  test('answers with late()’s value once the deadline passes', async () => {
    const startedAt = Date.now();
    expect(
      await answerWithin(
        withinDeadline(never, 20, () => 'late'),
        1000,
      ),
    ).toBe('late');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(15);
  });

  test('rejects with what late() throws', async () => {
    const timeout = new Error('timed out');
    const answer = withinDeadline(never, 10, () => {
      throw timeout;
    });
    await expect(answerWithin(answer, 1000)).rejects.toBe(timeout);
  });
});
