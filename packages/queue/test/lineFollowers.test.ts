import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import type { LineProgress } from '@ticketing/core';
import { LineFollowers } from '../src/lineFollowers.js';

/**
 * A ticket's followers are told its progress at most once per interval, whatever the batch rate:
 * each telling walks every open event stream of the ticket in this process.
 */
const at = (decided: number, decidedPerSecond: number | null = null): LineProgress => ({ decided, decidedPerSecond });

let line: LineFollowers;
let told: LineProgress[];

beforeEach(() => {
  jest.useFakeTimers();
  line = new LineFollowers(250);
  told = [];
  line.listeners.add((progress) => told.push(progress));
});
afterEach(() => {
  line.close();
  jest.useRealTimers();
});

describe('LineFollowers', () => {
  test('the first progress is told at once; what comes within the interval waits for its end, and only the furthest is told', () => {
    line.progress(at(500));
    expect(told).toEqual([at(500)]);
    jest.advanceTimersByTime(100);
    line.progress(at(1000, 5000));
    jest.advanceTimersByTime(100);
    line.progress(at(1500, 5000));
    expect(told).toEqual([at(500)]);
    jest.advanceTimersByTime(50);
    expect(told).toEqual([at(500), at(1500, 5000)]);
  });

  test('ten batches a second are told four times a second, every follower each time', () => {
    const second: LineProgress[] = [];
    line.listeners.add((progress) => second.push(progress));
    for (let batch = 1; batch <= 10; batch += 1) {
      line.progress(at(batch * 500));
      jest.advanceTimersByTime(100);
    }
    jest.advanceTimersByTime(250);
    // Batch n comes at (n - 1) × 100 ms; about every 250 ms the latest batch by then is told, the last one last.
    const decided = told.map((progress) => progress.decided);
    expect(decided).toHaveLength(5);
    expect(decided[0]).toBe(500);
    expect(decided.at(-1)).toBe(5000);
    expect([...decided].sort((a, b) => a - b)).toEqual(decided);
    expect(second).toEqual(told);
  });

  test('an older count arriving after a newer one (a takeover) is never told', () => {
    line.progress(at(1000));
    line.progress(at(500));
    jest.advanceTimersByTime(1000);
    expect(told).toEqual([at(1000)]);
    line.progress(at(1000, 4000)); // the same count with a pace is news
    expect(told).toEqual([at(1000), at(1000, 4000)]);
  });

  test('nothing is told again when nothing new came', () => {
    line.progress(at(500));
    jest.advanceTimersByTime(10_000);
    expect(told).toEqual([at(500)]);
  });

  test('the interval runs from the end of a walk, so a follower told late in it still gets a whole interval', () => {
    line.listeners.add(() => jest.advanceTimersByTime(100)); // a walk over many streams that takes 100 ms
    line.progress(at(500));
    line.progress(at(1000));
    jest.advanceTimersByTime(249);
    expect(told).toEqual([at(500)]);
    jest.advanceTimersByTime(1);
    expect(told).toEqual([at(500), at(1000)]);
  });

  test('a long walk is followed by a rest twice its length, so walks never take more than a third of the process', () => {
    line.listeners.add(() => jest.advanceTimersByTime(300)); // a walk that takes 300 ms
    line.progress(at(500));
    line.progress(at(1000));
    jest.advanceTimersByTime(599);
    expect(told).toEqual([at(500)]);
    jest.advanceTimersByTime(1);
    expect(told).toEqual([at(500), at(1000)]);
  });

  test('closed, it tells nothing more', () => {
    line.progress(at(500));
    line.progress(at(1000));
    line.close();
    jest.advanceTimersByTime(1000);
    expect(told).toEqual([at(500)]);
  });
});
