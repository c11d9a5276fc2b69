import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { JsonBody } from '@ticketing/testkit';
import { pino, type Level } from 'pino';
import { requestLogging } from '../src/adapter/in/web/requestLogging.js';

/** The request log line: written at its level only, in the shape pino-http wrote (log readers and fault scripts rely on it). */
const servers: Server[] = [];

async function serve(level: Level): Promise<{ url: string; lines: Array<Record<string, JsonBody>> }> {
  const lines: Array<Record<string, JsonBody>> = [];
  const app = express();
  app.use(requestLogging(pino({ level }, { write: (line: string) => lines.push(JSON.parse(line)) })));
  app.get('/fine', (_req, res) => {
    res.locals.route = '/fine';
    res.locals.logFields = { ticketId: 3 };
    res.status(200).json({ ok: true });
  });
  app.get('/away', (_req, res) => {
    res.err = new Error('redis away');
    res.status(503).end();
  });
  app.get('/broken', (_req, res) => {
    res.status(500).end();
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, lines };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('request log lines', () => {
  let info: Awaited<ReturnType<typeof serve>>;
  let warn: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    [info, warn] = await Promise.all([serve('info'), serve('warn')]);
  });

  test('a request answered: info, with the route, what the handler noted, the request id and the time taken', async () => {
    const res = await fetch(`${info.url}/fine?x=1`, { headers: { 'x-request-id': 'trace-1' } });
    expect(res.headers.get('x-request-id')).toBe('trace-1');
    await until(() => info.lines.length > 0);
    expect(info.lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        req: { id: 'trace-1', method: 'GET', url: '/fine?x=1' },
        res: { statusCode: 200 },
        route: '/fine',
        ticketId: 3,
        responseTime: expect.any(Number),
      }),
    ]);
    expect(info.lines[0]).not.toHaveProperty('err');
  });

  test('503 is a warning and 5xx an error, each with the error behind it; nothing else is written at warn', async () => {
    for (const path of ['/fine', '/away', '/broken']) await fetch(`${warn.url}${path}`);
    await until(() => warn.lines.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(warn.lines.map((line) => [line.level, line.res.statusCode, line.msg, line.err?.message])).toEqual([
      [40, 503, 'request errored', 'redis away'],
      [50, 500, 'request errored', 'failed with status code 500'],
    ]);
    expect(warn.lines[0]!.err.stack).toContain('redis away');
  });
});
