import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkDrop,
  createTestDatabase,
  createTicket,
  entriesOf,
  HttpClient,
  LocalRedisCluster,
  pollAll,
  removeRedisPrefix,
  shuffled,
  startApi,
  startWorker,
  submitAsks,
  TEST_REDIS_URL,
  uniqueRedisPrefix,
  type ApiProcess,
  type Ask,
  type NodeProcess,
  type TestDatabase,
} from '@ticketing/testkit';

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
describe.each([['a single Redis', 'single'] as const, ['a Redis Cluster of 3 masters and 3 replicas', 'cluster'] as const])(
  '30 drops at once on %s',
  (_name, mode) => {
    let database: TestDatabase;
    let cluster: LocalRedisCluster | null = null;
    const prefix = uniqueRedisPrefix();
    const apis: ApiProcess[] = [];
    const workers: NodeProcess[] = [];
    const client = new HttpClient(CLIENTS);

    beforeAll(async () => {
      database = await createTestDatabase();
      const env: Record<string, string> = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
      if (mode === 'cluster') {
        cluster = await LocalRedisCluster.start({ dir: await mkdtemp(join(tmpdir(), 'e2e-redis-cluster-')) });
        env.REDIS_CLUSTER_NODES = cluster.seedNodes;
      }
      apis.push(...(await Promise.all([startApi(env, { name: 'api-1' }), startApi(env, { name: 'api-2' })])));
      workers.push(...(await Promise.all([1, 2, 3].map((n) => startWorker(env, { name: `worker-${n}` })))));
    }, 120_000);

    afterAll(async () => {
      client.close();
      const codes = (await Promise.all([...apis, ...workers].map((p) => p.stop('SIGTERM')))).map((exit) => exit.code);
      await cluster?.destroy();
      if (mode === 'single') await removeRedisPrefix(prefix);
      await database?.drop();
      expect(codes).toEqual([...apis, ...workers].map(() => 0));
    }, 60_000);

    test('every ticket: exactly min(stock, askers) issued, no member twice, numbers contiguous, FCFS, polls match the database', async () => {
      const urls = apis.map((a) => a.url);
      const memberIds = await database.insertMembers(`many-${mode}`, MEMBERS);
      const ticketIds: number[] = [];
      for (let n = 0; n < TICKETS; n++) ticketIds.push(await createTicket(client, urls[0]!, `many-${mode}-${n}`, STOCK));

      const asks: Ask[] = memberIds.flatMap((memberId) =>
        shuffled(ticketIds)
          .slice(0, ASKS_PER_MEMBER)
          .map((ticketId) => ({ ticketId, memberId })),
      );
      const submissions = await submitAsks(client, urls, shuffled(asks), CLIENTS);
      const finals = await pollAll(client, urls, submissions, CLIENTS);

      const summary: string[] = [];
      for (const ticketId of ticketIds) {
        const report = checkDrop({
          totalQuantity: STOCK,
          entries: entriesOf(
            submissions.filter((s) => s.ticketId === ticketId),
            finals,
          ),
          rows: await database.issueRows(ticketId),
        });
        const askers = new Set(asks.filter((a) => a.ticketId === ticketId).map((a) => a.memberId)).size;
        expect({ ticketId, violations: report.violations }).toEqual({ ticketId, violations: [] });
        expect(report.issued).toBe(Math.min(STOCK, askers));
        expect((await database.ticket(ticketId)).issuedQuantity).toBe(report.issued);
        summary.push(`${ticketId}:${report.issued}/${askers}`);
      }
      expect(summary).toHaveLength(TICKETS);

      if (cluster) {
        // The 30 queues did not all land on one master.
        const masters = new Set(await Promise.all(ticketIds.map((id) => cluster!.masterOf(`${prefix}:issuance:{${id}}:lock`))));
        expect(masters.size).toBe(3);
      }
    }, 300_000);
  },
);
