import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDrop, createTicket, HttpClient, pollAll, shuffled, submitAsks, type Ask } from '@ticketing/testkit';
import { Database } from '../../scripts/faults/src/database.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startApi, startWorker, type ApiProcess, type ServiceProcess } from '../support/processes.js';
import { cleanRedisPrefix, createTestRedisPrefix, TEST_REDIS_URL } from '../support/redis.js';
import { LocalRedisCluster } from '../support/redisCluster.js';

const TICKETS = 30;
const STOCK = 300;
const MEMBERS = 6000;
const ASKS_PER_MEMBER = 5;
const CLIENTS = 200;

/**
 * Many drops at once: 30 tickets of 300, 6,000 members each asking for 5 random tickets, through
 * 2 API and 3 worker processes; once on a single Redis and once on a Redis Cluster of 3 masters
 * and 3 replicas (REDIS_CLUSTER_NODES), where the tickets' queues live on different masters.
 */
describe.each([['a single Redis', 'single'] as const, ['a Redis Cluster of 3 masters and 3 replicas', 'cluster'] as const])('30 drops at once on %s', (_name, mode) => {
  let database: TestDatabase;
  let db: Database;
  let cluster: LocalRedisCluster | null = null;
  const prefix = createTestRedisPrefix();
  const apis: ApiProcess[] = [];
  const workers: ServiceProcess[] = [];
  const client = new HttpClient(CLIENTS);

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new Database(database.url);
    const env: Record<string, string> = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
    if (mode === 'cluster') {
      cluster = await LocalRedisCluster.start({ dir: await mkdtemp(join(tmpdir(), 'e2e-redis-cluster-')) });
      env.REDIS_CLUSTER_NODES = cluster.seedNodes;
    }
    apis.push(...(await Promise.all([startApi(env, 'api-1'), startApi(env, 'api-2')])));
    workers.push(...(await Promise.all([1, 2, 3].map((n) => startWorker(env, `worker-${n}`)))));
  }, 120_000);

  afterAll(async () => {
    client.close();
    const codes = await Promise.all([...apis, ...workers].map((p) => p.stop('SIGTERM')));
    await cluster?.destroy();
    if (mode === 'single') await cleanRedisPrefix(prefix);
    await database?.drop();
    expect(codes).toEqual([...apis, ...workers].map(() => 0));
  }, 60_000);

  test('every ticket: exactly min(stock, askers) issued, no member twice, numbers contiguous, FCFS, polls match the database', async () => {
    const urls = apis.map((a) => a.url);
    const memberIds = await db.insertMembers(`many-${mode}`, MEMBERS);
    const ticketIds: number[] = [];
    for (let n = 0; n < TICKETS; n++) ticketIds.push(await createTicket(client, urls[0]!, `many-${mode}-${n}`, STOCK));

    const asks: Ask[] = memberIds.flatMap((memberId) => shuffled(ticketIds).slice(0, ASKS_PER_MEMBER).map((ticketId) => ({ ticketId, memberId })));
    const submissions = await submitAsks(client, urls, shuffled(asks), CLIENTS);
    const finals = await pollAll(client, urls, submissions, CLIENTS);

    const summary: string[] = [];
    for (const ticketId of ticketIds) {
      const report = checkDrop({
        totalQuantity: STOCK,
        submissions: submissions.filter((s) => s.ticketId === ticketId),
        finals,
        rows: await db.issueRows(ticketId),
      });
      const askers = new Set(asks.filter((a) => a.ticketId === ticketId).map((a) => a.memberId)).size;
      expect({ ticketId, violations: report.violations }).toEqual({ ticketId, violations: [] });
      expect(report.issued).toBe(Math.min(STOCK, askers));
      expect((await db.ticket(ticketId)).issuedQuantity).toBe(report.issued);
      summary.push(`${ticketId}:${report.issued}/${askers}`);
    }
    expect(summary).toHaveLength(TICKETS);

    if (cluster) {
      // The 30 queues did not all land on one master.
      const masters = new Set(await Promise.all(ticketIds.map((id) => cluster!.masterOf(`${prefix}:issuance:{${id}}:lock`))));
      expect(masters.size).toBe(3);
    }
  }, 300_000);
});
