import { afterEach, describe, expect, test } from '@jest/globals';
import type { Response } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStream, Throttle } from '../../src/adapter/in/web/streams/eventStream.js';
import { openSse } from '../support/sse.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let server: Server | null = null;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = null;
});

/** A bare HTTP server whose every request becomes an EventStream handed to `use`. */
async function serve(
  use: (events: EventStream) => void,
  timing = { heartbeatMs: 60_000, lifetimeMs: 60_000, retryMs: 1000 },
): Promise<string> {
  server = createServer((_req, res) => use(new EventStream(res as unknown as Response, timing)));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('EventStream', () => {
  test('frames: retry first, then event and data lines, JSON data, a blank line after each', async () => {
    const url = await serve((events) => {
      events.send('position', { position: 3 });
      events.send('decision', { status: 'ISSUED', text: 'line\nbreak' });
      events.end();
    });
    const session = await openSse(url, null);
    await session.ended;
    expect(session.frames.map(({ event, data }) => ({ event, data }))).toEqual([
      { event: 'retry', data: '1000' },
      { event: 'position', data: '{"position":3}' },
      // JSON keeps a newline escaped, so one data line carries it.
      { event: 'decision', data: '{"status":"ISSUED","text":"line\\nbreak"}' },
    ]);
  });

  test('a heartbeat comment while quiet; the stream ends by itself at the end of its lifetime', async () => {
    const url = await serve(() => undefined, { heartbeatMs: 50, lifetimeMs: 400, retryMs: 10 });
    const startedAt = performance.now();
    const session = await openSse(url, null);
    await session.ended;
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(350);
    expect(session.frames.filter((frame) => frame.event === ':comment').length).toBeGreaterThanOrEqual(3);
  });

  test('a client that leaves ends the stream: `ended` aborts and nothing more is written', async () => {
    let stream: EventStream | null = null;
    const url = await serve((events) => {
      stream = events;
    });
    const session = await openSse(url, null);
    await session.next((frame) => frame.event === 'retry');
    session.close();
    for (let n = 0; n < 50 && !stream!.ended.aborted; n++) await sleep(10);
    expect(stream!.ended.aborted).toBe(true);
    expect(() => stream!.send('position', { position: 1 })).not.toThrow();
  });
});

describe('Throttle', () => {
  test('passes the first value at once and then the latest at most once per interval', async () => {
    const passed: Array<{ value: number; at: number }> = [];
    const startedAt = performance.now();
    const throttle = new Throttle<number>(100, (value) => passed.push({ value, at: performance.now() - startedAt }));
    for (let value = 10; value >= 0; value--) {
      throttle.push(value);
      await sleep(25);
    }
    await sleep(150);
    expect(passed[0]!.value).toBe(10);
    expect(passed.at(-1)!.value).toBe(0);
    for (let n = 1; n < passed.length; n++) expect(passed[n]!.at - passed[n - 1]!.at).toBeGreaterThanOrEqual(95);
    expect(passed.length).toBeLessThanOrEqual(5);
  });

  test('cancel drops a value waiting for its interval', async () => {
    const passed: number[] = [];
    const throttle = new Throttle<number>(50, (value) => passed.push(value));
    throttle.push(1);
    throttle.push(2);
    throttle.cancel();
    await sleep(100);
    expect(passed).toEqual([1]);
  });
});
