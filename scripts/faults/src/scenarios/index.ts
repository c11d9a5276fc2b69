import type { FaultInfra } from '../infra.js';
import type { RedisPersistence } from '@ticketing/testkit';
import { databaseOutage } from './databaseOutage.js';
import { gracefulShutdown } from './gracefulShutdown.js';
import { redisAofRestart } from './redisAofRestart.js';
import { redisClusterFailover } from './redisClusterFailover.js';
import { redisDown } from './redisDown.js';
import { redisEmptyRestart } from './redisEmptyRestart.js';
import type { ScenarioReport, ScenarioSize } from './stage.js';
import { workerFreeze } from './workerFreeze.js';
import { workerKill } from './workerKill.js';

export interface ScenarioEntry {
  id: string;
  run: (infra: FaultInfra, size: ScenarioSize) => Promise<ScenarioReport>;
  /** The private Redis the script gives it: AOF like docker-compose, none to lose data, or a local cluster. */
  redis: RedisPersistence | 'cluster';
  /** How the product survives this fault, for docs/FAULTS.md (read from the product code). */
  how: string;
}

export const SCENARIOS: ScenarioEntry[] = [
  {
    id: 'worker-kill',
    run: workerKill,
    redis: 'aof',
    how:
      'A worker never takes a request out of its queue before the decision is stored. `peekBatch.lua` reads the oldest ' +
      "`WORKER_BATCH_SIZE` jobs and leaves them in BullMQ's wait list; `decideBatch` numbers them; one MySQL transaction " +
      'commits them behind the guard `UPDATE ticket … WHERE issued_quantity = <expected> AND fencing_token <= <token>`; ' +
      'only then does `completeBatch.lua`, which first checks that the lock still holds the same token, store the outcomes ' +
      'and remove the jobs. Killed before COMMIT, the transaction dies with the connection. Killed between COMMIT and ' +
      "`completeBatch`, the batch is still at the head of the queue, and the next holder reads the members' committed rows " +
      '(`readBatchMembers`), so `decideBatch` answers them with the ticket they hold instead of issuing again. The dead ' +
      "holder's lock is not renewed; it expires after `LOCK_TTL_MS` and another worker's scan (every 100 ms) takes it with a " +
      "larger fencing token. Recovery is what was left of the lock's lifetime.",
  },
  {
    id: 'worker-freeze',
    run: workerFreeze,
    redis: 'aof',
    how:
      'A frozen holder cannot renew its lock, so the lock expires after `LOCK_TTL_MS` and another worker takes it with a larger ' +
      'fencing token (`acquireLock.lua` hands out max(last + 1, Redis clock in µs)). When the frozen process resumes, its ' +
      '`Lease` sees that no renewal succeeded for a whole lifetime (or the renewal answers "taken over") and the drain ends ' +
      '`LOST` before another batch; `completeBatch.lua` refuses a token that no longer holds the lock, and a commit sent after ' +
      'the takeover fails the guard (`fencing_token <= token` once the new holder committed, `issued_quantity = expected` in ' +
      'any case) and counts as stale. One case is slower: frozen *inside* its commit transaction, the old holder keeps the ' +
      "ticket row locked, the new holder's guarded UPDATE waits for it, the old commit lands when the process resumes (it " +
      "passed the guard before the freeze), and the new holder's commit is then refused on the expected count, so it re-reads " +
      "the ticket and decides the same batch again, finding those members' rows. Safety holds; the ticket waits as long as " +
      'the freeze lasts.',
  },
  {
    id: 'database-outage',
    run: databaseOutage,
    redis: 'aof',
    how:
      "Accepting a request needs no database: the API's `cachedLookups` keep serving the ticket it last saw and the members " +
      'it knows (a member it cannot check is left to the worker, which fails the request `MEMBER_NOT_FOUND` if need be), and ' +
      '`admitBatch.lua` plus the BullMQ add only touch Redis. The store is wrapped by `reportingUnavailability`, which turns "cannot ' +
      'reach the database" into one error kind and fails fast for a second after each failure. A worker that cannot load the ' +
      'ticket or commit a batch waits (50 ms doubling to 2 s) and retries the *same* batch, still at the head of the queue, so ' +
      'nothing behind it overtakes it and no request fails for the outage. `/readyz` pings the database with a 1 s bound and ' +
      'names it. When MariaDB returns, the connection pools reconnect and the backlog drains in order. A poll of a waiting ' +
      'request reads Redis, then the database (the truth for committed issues); the API gives that read 300 ms and ' +
      'otherwise answers from the queue alone (PENDING), so a long-poll stays close to its `waitMs` while the database is ' +
      'away (the "slowest poll" below). One edge is bounded rather than removed: a member id that cannot be checked ' +
      'meanwhile holds a place in the stock count, so once as many are admitted as the stock, newcomers get 409 `SOLD_OUT` ' +
      'at once; when the worker finds such an id does not exist it answers it FAILED `MEMBER_NOT_FOUND` and ' +
      '`completeBatch.lua` gives its place back, so the refusals last only until the backlog is decided, and a member ' +
      'refused meanwhile is admitted when it asks again (it is not re-admitted by itself; test: "a request failed ' +
      'MEMBER_NOT_FOUND gives its admission back" in `packages/queue/test/issueQueue.test.ts`).',
  },
  {
    id: 'redis-down',
    run: redisDown,
    redis: 'aof',
    how:
      'Every Redis client is fail-fast (`packages/queue/src/redis.ts`): no offline queue, one retry per command, a 1 s command ' +
      'timeout, and reconnection in the background at most a second apart. A submission that cannot reach Redis becomes ' +
      '`QueueUnavailableError`, answered 503 `QUEUE_UNAVAILABLE` with `Retry-After: 1` (the BullMQ add is bounded to 1 s too), so ' +
      'nothing hangs and nothing piles up in memory. Workers get the same errors, back off and retry; a holder whose renewals ' +
      'fail for a lifetime counts its lock as lost. When Redis returns, with its AOF, both sides reconnect by themselves; a ' +
      'client that retries a submission whose first try did land gets 200 with that request, because admission is one request ' +
      'per member and the job id is the request id.',
  },
  {
    id: 'redis-aof-restart',
    run: redisAofRestart,
    redis: 'aof',
    how:
      "With `appendonly yes` and `appendfsync always` (docker-compose's setting) Redis writes every command to disk before it " +
      'answers, so each admission, job and stored outcome that a process was told about survives even SIGKILL. A command in ' +
      'flight at the crash was never acknowledged: the API answered 503 and the client retried. The lock and fencing counter ' +
      "survive too; the holder's lease lapses if its renewals fail meanwhile and the drain resumes from the same head of queue.",
  },
  {
    id: 'redis-empty-restart',
    run: redisEmptyRestart,
    redis: 'none',
    how:
      'The database is the truth. Each drain starts from `loadDrainState` (issued_quantity, fencing_token in MySQL) and each ' +
      "batch from the members' committed rows, never from Redis alone, so numbering continues after the last committed issue " +
      'and a member who asks again after the crash is answered with the ticket he holds, never a second one ' +
      "(UNIQUE(ticket_id, member_id) stays the last line of defence). Fencing tokens come from Redis's clock, so they keep " +
      "growing after an empty restart, and a holder that finds the database's token ahead raises its own (`raiseFence.lua`) " +
      'before committing. Requests Redis forgot are answered as such: the request id names its ticket, member and the epoch ' +
      "of its ticket row, and carries a seal made with the row's `generation` (kept in MySQL), so a poll can say FAILED " +
      '`QUEUE_DATA_LOST` instead of PENDING, and a made-up id 404, unless the database shows it ISSUED, in which case the ' +
      'poll says ISSUED.',
  },
  {
    id: 'redis-cluster-failover',
    run: redisClusterFailover,
    redis: 'cluster',
    how:
      'Every Redis client becomes an ioredis Cluster client when `REDIS_CLUSTER_NODES` is set (`packages/queue/src/redis.ts`), ' +
      'still fail-fast: a command for the dead master is refused at once (no retry delay on failover or cluster-down), so a ' +
      "submission is answered 503 `QUEUE_UNAVAILABLE` with `Retry-After` instead of hanging, while the other masters' tickets " +
      'carry on (`cluster-require-full-coverage no`). When the replica is promoted the clients find it by the MOVED answers or ' +
      'by re-reading the slot map every second, and connect it at once. Replication is asynchronous, so the replica may lack the newest writes: then the database ' +
      'is the truth, as after an empty restart (`loadDrainState`, `readBatchMembers`, the guarded UPDATE, UNIQUE keys). Jobs ' +
      'whose completion was lost are decided again from the database; an admission or a job the replica never got is a ' +
      "request Redis forgot, and because admitBatch.lua seals each request id with the ticket row's `generation` (kept in MySQL), " +
      'its poll says FAILED `QUEUE_DATA_LOST` rather than 404; asking again gives the member a live request. The lock may ' +
      "be lost too: a new holder takes it with a fencing token from the new master's clock, and the database refuses any " +
      'commit whose token is older than the last one.',
  },
  {
    id: 'graceful-shutdown',
    run: gracefulShutdown,
    redis: 'aof',
    how:
      'On SIGTERM a worker stops scanning, lets each drainer finish the batch in hand (commit and `completeBatch`), ends the ' +
      'drain `STOPPED` and releases its lock (`releaseLock.lua`), so the next worker need not wait for it to expire, then exits ' +
      '0; after 9 s it exits anyway, leaving an unfinished batch at the head of its queue. The API stops accepting ' +
      'connections, answers open long-polls at once with the current state, closes idle keep-alive connections, finishes ' +
      'in-flight requests, closes Redis and the pool and exits 0. While no worker runs, requests wait in their queues.',
  },
];
