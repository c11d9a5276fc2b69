import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ticketRef,
  QueueUnavailableError,
  submitIssueRequest,
  systemClock,
  type Admission,
  type IssueRequestDeps,
  type Ticket,
} from '@ticketing/core';
import {
  createRedis,
  parseRequestId,
  RedisDrainQueue,
  redisReady,
  RedisSubmissionQueue,
  ticketKeys,
  type RedisClient,
} from '@ticketing/queue';
import type { Cluster, Redis } from 'ioredis';
import { isSealedBy } from '../src/keys.js';
import { runScript } from '../src/scripts.js';
import { LocalRedisCluster, removeRedisPrefix, TcpProxy, TEST_REDIS_URL, uniqueRedisPrefix } from '@ticketing/testkit';

/** Every ticket of these tests is one row with this generation. */
const GEN = 'ab'.repeat(20);
const t = (ticketId: number) => ticketRef(ticketId, GEN);

/**
 * Submissions of one ticket made in the same event-loop turn share one admission script call
 * (admitBatch.lua), one enqueue script call (enqueueBatch.lua) and one active-ticket mark: each
 * must still be decided and queued exactly as if it had been sent alone, in the order the calls
 * were made.
 */
const prefix = uniqueRedisPrefix();
let redis: RedisClient;
let queue: RedisSubmissionQueue;

beforeAll(async () => {
  redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'batch-test');
  await redisReady(redis, 2000);
  queue = new RedisSubmissionQueue(redis, { prefix });
});
afterAll(async () => {
  await queue.close();
  await removeRedisPrefix(prefix);
  redis.disconnect();
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const admitOpen = (ticketId: number, memberId: number, totalQuantity = 1000) =>
  queue.admit({ generation: GEN, ticketId, memberId, totalQuantity, window: 'OPEN', acceptedAt: 1 });
const waitList = async (ticketId: number) => (await redis.lrange(ticketKeys(prefix, t(ticketId)).wait, 0, -1)).reverse();

function admittedId(admission: Admission): string {
  if (admission.kind !== 'ADMITTED') throw new Error(`not admitted: ${admission.kind}`);
  return admission.request.requestId;
}

describe('admitBatch.lua', () => {
  const SECRET = 'ab'.repeat(20);
  let tickets = 0;

  /** A fresh ticket's keys, and a call of the script on it with the given submissions. */
  function freshTicket() {
    const ticketId = 700 + ++tickets;
    const keys = ticketKeys(prefix, t(ticketId));
    const admit = (submissions: Array<[memberId: number, window: string, totalQuantity: number, nonce?: string]>) => {
      const args: Array<string | number> = [ticketId, SECRET];
      submissions.forEach(([memberId, window, totalQuantity, nonce], n) => {
        args.push(memberId, window, totalQuantity, nonce ?? n.toString(16).padStart(8, '0'));
      });
      return runScript<string[]>(redis, 'admitBatch', [keys.members, keys.soldOut, keys.ended], args);
    };
    return { ticketId, keys, admit };
  }

  test('a member is admitted once: asked again, in the same call or a later one, the answer is the first request', async () => {
    const { keys, admit } = freshTicket();
    const [kind, requestId, ...rest] = await admit([
      [1, 'OPEN', 10],
      [1, 'OPEN', 10],
    ]);
    expect(kind).toBe('ADMITTED');
    expect(rest).toEqual(['EXISTING', requestId]);
    expect(await admit([[1, 'OPEN', 10]])).toEqual(['EXISTING', requestId]);
    expect(await redis.hgetall(keys.members)).toEqual({ '1': requestId });
  });

  test('the earlier request wins over every refusal: closed, not open, sold out', async () => {
    const { keys, admit } = freshTicket();
    const [, requestId] = await admit([[1, 'OPEN', 1]]);
    await redis.set(keys.soldOut, '1');
    expect(
      await admit([
        [1, 'CLOSED', 1],
        [1, 'NOT_OPEN', 1],
        [1, 'OPEN', 1],
      ]),
    ).toEqual(['EXISTING', requestId, 'EXISTING', requestId, 'EXISTING', requestId]);
  });

  test('outside the sales window a newcomer is refused with the window, before sold out is considered, and nothing is recorded', async () => {
    const { keys, admit } = freshTicket();
    await redis.set(keys.soldOut, '1');
    expect(
      await admit([
        [1, 'NOT_OPEN', 10],
        [2, 'CLOSED', 10],
      ]),
    ).toEqual(['REFUSED', 'NOT_OPEN', 'REFUSED', 'CLOSED']);
    expect(await redis.hlen(keys.members)).toBe(0);
  });

  test('the sold-out flag refuses every newcomer SOLD_OUT', async () => {
    const { keys, admit } = freshTicket();
    await redis.set(keys.soldOut, '1');
    expect(
      await admit([
        [1, 'OPEN', 10],
        [2, 'OPEN', 10],
      ]),
    ).toEqual(['REFUSED', 'SOLD_OUT', 'REFUSED', 'SOLD_OUT']);
    expect(await redis.hlen(keys.members)).toBe(0);
  });

  test('the stock counts every admission, earlier calls and earlier in the call: once it is spoken for, newcomers are SOLD_OUT', async () => {
    const { keys, admit } = freshTicket();
    const first = await admit([[1, 'OPEN', 3]]);
    const answers = await admit([
      [2, 'OPEN', 3],
      [1, 'OPEN', 3],
      [3, 'OPEN', 3],
      [4, 'OPEN', 3],
      [2, 'OPEN', 3],
    ]);
    expect(answers.filter((_, n) => n % 2 === 0)).toEqual(['ADMITTED', 'EXISTING', 'ADMITTED', 'REFUSED', 'EXISTING']);
    expect(answers[3]).toBe(first[1]);
    expect(answers[7]).toBe('SOLD_OUT');
    expect(answers[9]).toBe(answers[1]);
    expect(await redis.hlen(keys.members)).toBe(3);
  });

  test('answers come one pair per submission, in the order given, each seeing the ones before it', async () => {
    const { admit } = freshTicket();
    const answers = await admit([
      [5, 'OPEN', 2],
      [6, 'CLOSED', 2],
      [7, 'OPEN', 2],
      [5, 'OPEN', 2],
      [8, 'OPEN', 2],
      [6, 'OPEN', 2],
    ]);
    expect(answers).toHaveLength(12);
    expect(answers.filter((_, n) => n % 2 === 0)).toEqual(['ADMITTED', 'REFUSED', 'ADMITTED', 'EXISTING', 'REFUSED', 'REFUSED']);
    expect([answers[3], answers[9], answers[11]]).toEqual(['CLOSED', 'SOLD_OUT', 'SOLD_OUT']);
    expect(answers[7]).toBe(answers[1]);
    expect(answers[1]).toMatch(/^\d+-5-/);
    expect(answers[5]).toMatch(/^\d+-7-/);
  });

  test('a request id names ticket, member, epoch (of the row generation given) and nonce, and is sealed by that generation alone', async () => {
    const { ticketId, admit } = freshTicket();
    const [, requestId] = await admit([[9, 'OPEN', 10, '0badf00d']]);
    expect(requestId).toMatch(new RegExp(`^${ticketId}-9-abababab-0badf00d[0-9a-f]{8}$`));
    expect(isSealedBy(SECRET, requestId!)).toBe(true);
    expect(isSealedBy('cd'.repeat(20), requestId!)).toBe(false);
    expect(parseRequestId(requestId!)).toEqual({ ticketId, memberId: 9, epoch: 'abababab' });
    // No secret is kept in Redis: the seal can be checked from the database after Redis forgot the ticket.
    expect(await redis.keys(`${prefix}:issuance:{${ticketId}}-*`)).toEqual([ticketKeys(prefix, t(ticketId)).members]);
  });
});

describe('one round trip per ticket and turn', () => {
  test('concurrent submissions of a ticket make one admission call and one active-ticket mark; their jobs queue in call order', async () => {
    const monitor = (await (redis as Redis).monitor()) as Redis;
    const seen: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua' && args.some((arg) => typeof arg === 'string' && arg.startsWith(`${prefix}:`))) seen.push(args);
    });
    try {
      const members = Array.from({ length: 40 }, (_, n) => n + 1);
      const admissions = await Promise.all(members.map((memberId) => admitOpen(90, memberId)));
      const ids = admissions.map(admittedId);
      await Promise.all(admissions.map((admission) => queue.enqueue((admission as Extract<Admission, { kind: 'ADMITTED' }>).request)));
      await new Promise((resolve) => setTimeout(resolve, 200)); // MONITOR reports a moment later

      const membersKey = ticketKeys(prefix, t(90)).members;
      const admissionCalls = seen.filter((args) => /^eval(sha)?$/i.test(args[0]!) && args.includes(membersKey));
      expect(admissionCalls).toHaveLength(1);
      expect(seen.filter((args) => args[0]!.toLowerCase() === 'sadd')).toHaveLength(1);
      expect(await waitList(90)).toEqual(ids);
    } finally {
      monitor.disconnect();
    }
  });

  test('turns after turns: each ticket’s jobs queue in the order enqueue was called, across tickets and batches', async () => {
    const called = new Map<number, string[]>([
      [91, []],
      [92, []],
    ]);
    const pending: Array<Promise<unknown>> = [];
    let memberId = 0;
    for (let turn = 0; turn < 5; turn++) {
      for (let n = 0; n < 30; n++) {
        const ticketId = n % 3 === 0 ? 92 : 91;
        memberId += 1;
        const admission = await admitOpen(ticketId, memberId);
        if (admission.kind !== 'ADMITTED') throw new Error(admission.kind);
        called.get(ticketId)!.push(admission.request.requestId);
        pending.push(queue.enqueue(admission.request));
      }
      await nextTurn();
    }
    await Promise.all(pending);
    expect(await waitList(91)).toEqual(called.get(91));
    expect(await waitList(92)).toEqual(called.get(92));
  });

  test('a member twice in one turn is admitted once: the second call gets the first request back', async () => {
    const [first, second, other] = await Promise.all([admitOpen(93, 1), admitOpen(93, 1), admitOpen(93, 2)]);
    expect(first!.kind).toBe('ADMITTED');
    expect(second).toEqual({ kind: 'EXISTING', request: { requestId: admittedId(first!), ticketId: 93, memberId: 1, acceptedAt: 1 } });
    expect(other!.kind).toBe('ADMITTED');
  });

  test('the stock counts every admission before it in the same call: later newcomers are SOLD_OUT, in arrival order', async () => {
    const answers = await Promise.all([1, 2, 3, 4, 5].map((memberId) => admitOpen(94, memberId, 3)));
    expect(answers.map((a) => a.kind)).toEqual(['ADMITTED', 'ADMITTED', 'ADMITTED', 'REFUSED', 'REFUSED']);
    expect(answers[3]).toEqual({ kind: 'REFUSED', code: 'SOLD_OUT' });
  });
});

describe('a batch that fails', () => {
  const proxy = new TcpProxy(6379);
  let flakyRedis: RedisClient;
  let flaky: RedisSubmissionQueue;

  beforeAll(async () => {
    await proxy.start();
    flakyRedis = createRedis({ redisUrl: `redis://127.0.0.1:${proxy.port}` }, 'batch-test-flaky');
    await redisReady(flakyRedis, 2000);
    flaky = new RedisSubmissionQueue(flakyRedis, { prefix });
  });
  afterAll(async () => {
    await flaky.close().catch(() => undefined);
    flakyRedis.disconnect();
    await proxy.stop();
  });

  test('fails every submission in it as QUEUE_UNAVAILABLE; asking again gets each the same request, queued once', async () => {
    const ticket: Ticket = {
      id: 95,
      name: 't',
      totalQuantity: 100,
      issuedQuantity: 0,
      openAt: new Date(0),
      closeAt: null,
      generation: GEN,
      stateRemovedAt: null,
      createdAt: new Date(0),
    };
    const members = [1, 2, 3, 4, 5, 6];
    const admissions = await Promise.all(
      members.map((memberId) =>
        flaky.admit({ generation: GEN, ticketId: 95, memberId, totalQuantity: 100, window: 'OPEN', acceptedAt: 1 }),
      ),
    );
    const ids = admissions.map(admittedId);

    await proxy.stop(); // Redis is away between the admission and the add
    const startedAt = Date.now();
    const added = await Promise.allSettled(
      admissions.map((admission) => flaky.enqueue((admission as Extract<Admission, { kind: 'ADMITTED' }>).request)),
    );
    expect(added.map((result) => result.status)).toEqual(members.map(() => 'rejected'));
    for (const result of added) expect((result as PromiseRejectedResult).reason).toBeInstanceOf(QueueUnavailableError);
    expect(Date.now() - startedAt).toBeLessThan(1500);

    await proxy.start();
    await redisReady(flakyRedis, 5000);
    const deps: IssueRequestDeps = {
      tickets: { findTicket: async () => ticket, findIssueByRequestId: async () => null, findIssueOfMember: async () => null },
      freshTickets: { findTicket: async () => ticket },
      members: { memberExists: async () => true },
      queue: flaky,
      clock: systemClock,
    };
    // Asked again in another order: the queue follows the order of the successful adds.
    const retried = [...members].reverse();
    const again = await Promise.all(retried.map((memberId) => submitIssueRequest(deps, 95, memberId)));
    const expected = retried.map((memberId) => ids[members.indexOf(memberId)]);
    expect(again.map((result) => result.ok && !result.value.created && result.value.request.status === 'PENDING')).toEqual(
      retried.map(() => true),
    );
    expect(again.map((result) => (result.ok ? result.value.request.requestId : null))).toEqual(expected);
    expect(await waitList(95)).toEqual(expected);
  });
});

describe('on a Redis Cluster', () => {
  let cluster: LocalRedisCluster;
  let clustered: RedisClient;
  let onCluster: RedisSubmissionQueue;

  beforeAll(async () => {
    cluster = await LocalRedisCluster.start({ dir: await mkdtemp(join(tmpdir(), 'batch-redis-cluster-')) });
    clustered = createRedis(
      { redisUrl: 'redis://unused', clusterNodes: cluster.nodes.map(({ port }) => ({ host: '127.0.0.1', port })) },
      'batch-cluster-test',
    );
    await redisReady(clustered, 10_000);
    // The client fails fast on a master it has not connected to yet: wait until it has them all.
    for (let attempt = 0; attempt < 100; attempt++) {
      const masters = (clustered as Cluster).nodes('master');
      await Promise.all(masters.map((node) => node.ping().catch(() => undefined)));
      if (masters.length === 3 && masters.every((node) => node.status === 'ready')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    onCluster = new RedisSubmissionQueue(clustered, { prefix });
  }, 60_000);
  afterAll(async () => {
    await onCluster?.close();
    clustered?.disconnect();
    await cluster?.destroy();
  });

  test('each ticket’s batch stays in its own slot: concurrent submissions of several tickets queue in call order on each', async () => {
    const tickets = [101, 102, 103, 104, 105];
    const calls = Array.from({ length: 200 }, (_, n) => ({ ticketId: tickets[n % tickets.length]!, memberId: n + 1 }));
    const admissions = await Promise.all(
      calls.map(({ ticketId, memberId }) =>
        onCluster.admit({ generation: GEN, ticketId, memberId, totalQuantity: 1000, window: 'OPEN', acceptedAt: 1 }),
      ),
    );
    await Promise.all(admissions.map((admission) => onCluster.enqueue((admission as Extract<Admission, { kind: 'ADMITTED' }>).request)));
    for (const ticketId of tickets) {
      const expected = admissions.filter((_, n) => calls[n]!.ticketId === ticketId).map(admittedId);
      expect((await clustered.lrange(ticketKeys(prefix, t(ticketId)).wait, 0, -1)).reverse()).toEqual(expected);
    }
    expect((await new RedisDrainQueue(clustered, { prefix }).activeTickets()).map((ref) => ref.ticketId).sort()).toEqual(tickets);
  });
});
