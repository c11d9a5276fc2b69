import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import express from 'express';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { BOARD_PATH, createBoard, type Board } from '../src/adapter/in/web/board.js';

/** Bull Board's login, on its own: failed logins per client address are capped (10 a minute). */
const USER = 'admin';
const PASSWORD = 'board-password-12';
let board: Board;
let server: Server;
let port: number;

beforeAll(async () => {
  board = createBoard({
    user: USER,
    password: PASSWORD,
    tickets: { listTickets: async () => ({ items: [], total: 0, page: 1, size: 1 }) },
    queueFor: () => {
      throw new Error('no ticket, no queue');
    },
    log: { warn: () => undefined },
  });
  const app = express();
  app.use(BOARD_PATH, board.router);
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await board.close();
  await new Promise((resolve) => server.close(resolve));
});

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

/** GET the board's queue list from `from` (any 127.x.y.z address is this machine's loopback). */
function login(from: string, user: string, password: string): Promise<Answer> {
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: `${BOARD_PATH}/api/queues`, localAddress: from, headers: { authorization }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('Bull Board login', () => {
  test('the 11th failed login from one address within a minute is 429 with Retry-After, and so is its right password then', async () => {
    for (let attempt = 1; attempt <= 10; attempt++)
      expect([attempt, (await login('127.0.0.2', USER, `wrong-${attempt}`)).status]).toEqual([attempt, 401]);

    const eleventh = await login('127.0.0.2', USER, 'wrong-11');
    expect(eleventh.status).toBe(429);
    expect(Number(eleventh.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(eleventh.retryAfter)).toBeLessThanOrEqual(60);
    expect(JSON.parse(eleventh.body)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });

    // Locked out: the right password is not even checked until the minute is over.
    expect((await login('127.0.0.2', USER, PASSWORD)).status).toBe(429);
  });

  test('another address still logs in', async () => {
    expect((await login('127.0.0.3', USER, PASSWORD)).status).toBe(200);
  });

  test('a request without credentials (a browser asking for the dialog) does not count as a failed login', async () => {
    const bare = () =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path: `${BOARD_PATH}/api/queues`, localAddress: '127.0.0.4', agent: false },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
    for (let attempt = 1; attempt <= 12; attempt++) expect(await bare()).toBe(401);
    expect((await login('127.0.0.4', USER, PASSWORD)).status).toBe(200);
  });
});
