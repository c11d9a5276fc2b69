import { describe, expect, test } from '@jest/globals';
import { TurnBatches } from '../src/index.js';
import { settle } from './fakes/fakeClock.js';

/** Where a promise stands once every ready callback has run: the batcher's turns are setImmediate turns. */
async function standing<T>(
  promise: Promise<T>,
): Promise<{ state: 'pending' } | { state: 'resolved'; value: T } | { state: 'rejected'; error: unknown }> {
  let outcome: { state: 'pending' } | { state: 'resolved'; value: T } | { state: 'rejected'; error: unknown } = { state: 'pending' };
  promise.then(
    (value) => (outcome = { state: 'resolved', value }),
    (error: unknown) => (outcome = { state: 'rejected', error }),
  );
  await settle();
  await settle();
  return outcome;
}

/** A batcher whose runs answer each input doubled and are recorded as key and inputs. */
function doubling(maxBatch = 10) {
  const runs: Array<{ key: string; inputs: number[] }> = [];
  const batches = new TurnBatches<string, number, number>(async (key, inputs) => {
    runs.push({ key, inputs });
    return inputs.map((input) => input * 2);
  }, maxBatch);
  return { batches, runs };
}

describe('TurnBatches', () => {
  test('answers one call with its own output', async () => {
    const { batches, runs } = doubling();
    expect(await standing(batches.add('a', 21))).toEqual({ state: 'resolved', value: 42 });
    expect(runs).toEqual([{ key: 'a', inputs: [21] }]);
  });

  test('calls for one key in one turn make one run, in call order, and each caller gets its own output', async () => {
    const { batches, runs } = doubling();
    const answers = Promise.all([batches.add('a', 1), batches.add('a', 2), batches.add('a', 3)]);
    expect(runs).toEqual([]); // nothing runs before the turn ends
    expect(await standing(answers)).toEqual({ state: 'resolved', value: [2, 4, 6] });
    expect(runs).toEqual([{ key: 'a', inputs: [1, 2, 3] }]);
  });

  test('each key gets its own run', async () => {
    const { batches, runs } = doubling();
    const answers = Promise.all([batches.add('a', 1), batches.add('b', 5), batches.add('a', 2)]);
    expect(await standing(answers)).toEqual({ state: 'resolved', value: [2, 10, 4] });
    expect(runs).toEqual([
      { key: 'a', inputs: [1, 2] },
      { key: 'b', inputs: [5] },
    ]);
  });

  test('calls of a later turn make a later run', async () => {
    const { batches, runs } = doubling();
    expect(await standing(batches.add('a', 1))).toEqual({ state: 'resolved', value: 2 });
    expect(await standing(batches.add('a', 2))).toEqual({ state: 'resolved', value: 4 });
    expect(await standing(batches.add('a', 3))).toEqual({ state: 'resolved', value: 6 });
    expect(runs).toEqual([
      { key: 'a', inputs: [1] },
      { key: 'a', inputs: [2] },
      { key: 'a', inputs: [3] },
    ]);
  });

  test('a turn is flushed once: calls made after its flush, in the same loop iteration, wait together for the next', async () => {
    const { batches, runs } = doubling();
    // The queue of immediates: flush, T1, T2 (add(1) and add(2) come one turn, one flush).
    const first = [batches.add('a', 1)];
    const later = new Promise<number[]>((resolve) => {
      let third: Promise<number>;
      setImmediate(() => {
        third = batches.add('a', 3);
      });
      first.push(batches.add('a', 2));
      setImmediate(() => {
        expect(runs).toEqual([{ key: 'a', inputs: [1, 2] }]);
        void Promise.all([third, batches.add('a', 4)]).then(resolve);
      });
    });
    expect(await standing(Promise.all(first))).toEqual({ state: 'resolved', value: [2, 4] });
    expect(await standing(later)).toEqual({ state: 'resolved', value: [6, 8] });
    expect(runs).toEqual([
      { key: 'a', inputs: [1, 2] },
      { key: 'a', inputs: [3, 4] },
    ]);
  });

  test('more calls than maxBatch make several runs of at most maxBatch, started in order', async () => {
    const { batches, runs } = doubling(2);
    const answers = Promise.all([1, 2, 3, 4, 5].map((input) => batches.add('a', input)));
    expect(await standing(answers)).toEqual({ state: 'resolved', value: [2, 4, 6, 8, 10] });
    expect(runs).toEqual([
      { key: 'a', inputs: [1, 2] },
      { key: 'a', inputs: [3, 4] },
      { key: 'a', inputs: [5] },
    ]);
  });

  test('a multiple of maxBatch makes exactly that many full runs', async () => {
    const { batches, runs } = doubling(2);
    const answers = Promise.all([1, 2, 3, 4].map((input) => batches.add('a', input)));
    expect(await standing(answers)).toEqual({ state: 'resolved', value: [2, 4, 6, 8] });
    expect(runs.map((run) => run.inputs)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  test('exactly maxBatch calls make one run', async () => {
    const { batches, runs } = doubling(3);
    const answers = Promise.all([1, 2, 3].map((input) => batches.add('a', input)));
    expect(await standing(answers)).toEqual({ state: 'resolved', value: [2, 4, 6] });
    expect(runs.map((run) => run.inputs)).toEqual([[1, 2, 3]]);
  });

  test('a run that rejects fails every call of its batch with its error, and only those', async () => {
    const failure = new Error('Redis went away');
    const runs: number[][] = [];
    const batches = new TurnBatches<string, number, number>((_, inputs) => {
      runs.push(inputs);
      return inputs.includes(1) ? Promise.reject(failure) : Promise.resolve(inputs);
    }, 2);
    const calls = [1, 2, 3].map((input) => batches.add('a', input));
    expect(await standing(calls[0]!)).toEqual({ state: 'rejected', error: failure });
    expect(await standing(calls[1]!)).toEqual({ state: 'rejected', error: failure });
    expect(await standing(calls[2]!)).toEqual({ state: 'resolved', value: 3 });
    expect(runs).toEqual([[1, 2], [3]]);
  });

  test('a run that throws before returning a promise fails its calls the same way', async () => {
    const failure = new Error('not connected');
    const batches = new TurnBatches<string, number, number>(() => {
      throw failure;
    }, 10);
    const calls = [batches.add('a', 1), batches.add('a', 2)];
    expect(await standing(calls[0]!)).toEqual({ state: 'rejected', error: failure });
    expect(await standing(calls[1]!)).toEqual({ state: 'rejected', error: failure });
  });
});
