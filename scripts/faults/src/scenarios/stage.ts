import {
  checkDrop,
  checkUnavailableAnswers,
  Ledger,
  sleep,
  TimedHttp,
  testTokens,
  type DropCounts,
  emptyDropCounts,
  type Entry,
  type TestDatabase,
} from '@ticketing/testkit';
import { Cluster } from '../cluster.js';
import type { FaultInfra } from '../infra.js';

/** What one scenario found: a row of docs/FAULTS.md, and what a test asserts. */
export interface ScenarioReport {
  scenario: string;
  title: string;
  counts: DropCounts;
  /** Scenario-specific measurements (kills made, slowest 503, exit times, ...). */
  facts: Record<string, string | number>;
  /** Every broken guarantee or expectation, readable; empty when the fault was survived. */
  violations: string[];
  durationMs: number;
  /** The processes' output tails, kept when something failed. */
  diagnostics: string;
}

export interface ScenarioSize {
  members?: number;
  quantity?: number;
  /** Progress lines for a person watching (the script); tests pass nothing. */
  log?: (line: string) => void;
}

/** Settings every scenario runs with: a short lock lifetime so takeovers happen within a test. */
export const LOCK_TTL_MS = 1000;

/** A scenario's running system: its processes, its client ledger, its database. */
export class Stage {
  readonly violations: string[] = [];
  readonly facts: Record<string, string | number> = {};
  readonly http = new TimedHttp(16, 5000);
  /** Times in facts count from here: the first submission of the drop. */
  dropStartedAt = Date.now();

  private constructor(
    readonly infra: FaultInfra,
    readonly cluster: Cluster,
    readonly ledger: Ledger,
    readonly log: (line: string) => void,
  ) {}

  static async start(infra: FaultInfra, env: Record<string, string>, log: (line: string) => void): Promise<Stage> {
    const cluster = await Cluster.start(
      {
        DATABASE_URL: infra.database.url,
        REDIS_URL: infra.redisUrl,
        QUEUE_PREFIX: infra.prefix,
        LOCK_TTL_MS: String(LOCK_TTL_MS),
        ...(infra.redisCluster ? { REDIS_CLUSTER_NODES: infra.redisCluster.seedNodes } : {}),
        ...env,
      },
      { apis: 2, workers: 3 },
    );
    const stage = new Stage(infra, cluster, new Ledger(() => cluster.apiUrls()), log);
    try {
      await stage.warmUp(cluster.apiUrls());
    } catch (error) {
      await stage.ledger.close();
      stage.http.close();
      await cluster.close();
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${cluster.outputs().slice(-8000)}`, { cause: error });
    }
    return stage;
  }

  /**
   * A few requests for a ticket of its own through each API, decided by the workers, before the
   * drop: the drop meets processes that have served traffic (database pool, Redis scripts and
   * BullMQ loaded), as in production, so a fault test does not measure a cold start instead.
   */
  async warmUp(apis: readonly string[]): Promise<void> {
    const ticketId = await this.createTicket(`warm-up-${Date.now()}`, 1000);
    const memberIds = await this.db.insertMembers(`warm-up-${ticketId}`, apis.length * 4);
    const requestIds = await Promise.all(
      memberIds.map(async (memberId, n) => {
        const url = `${apis[n % apis.length]}/api/v1/tickets/${ticketId}/issue-requests`;
        // A cold process may miss its 600 ms submission deadline on a busy machine; like any client, ask again.
        for (let attempt = 1; ; attempt++) {
          const answer = await this.http.post(url, { memberId });
          if (answer.status === 202 || answer.status === 200) return answer.body.requestId as string;
          if (answer.status !== 503 || attempt === 5)
            throw new Error(`warm-up submission: ${answer.status} ${JSON.stringify(answer.body)}`);
          await sleep(200);
        }
      }),
    );
    await Promise.all(
      requestIds.map((requestId, n) => this.http.get(`${apis[n % apis.length]}/api/v1/issue-requests/${requestId}?waitMs=3000`)),
    );
  }

  get db(): TestDatabase {
    return this.infra.database;
  }

  violation(message: string): void {
    this.violations.push(message);
  }

  /**
   * `count` new members for the drop, with their tokens minted now: signing hundreds of tokens
   * while the drop runs starves the clients' event loop and shows up as late answers (G8).
   */
  async members(tag: string, count: number): Promise<number[]> {
    const memberIds = await this.db.insertMembers(tag, count);
    await Promise.all(memberIds.map((memberId) => testTokens.member(memberId)));
    return memberIds;
  }

  /** Marks the drop's start; returns it. */
  beginDrop(): number {
    this.dropStartedAt = Date.now();
    return this.dropStartedAt;
  }

  /** "+1.8 s": a moment of the drop, for readable facts. */
  elapsed(at = Date.now()): string {
    return `+${((at - this.dropStartedAt) / 1000).toFixed(1)} s`;
  }

  async createTicket(name: string, totalQuantity: number): Promise<number> {
    const answer = await this.http.post(`${this.cluster.apiUrls()[0]}/api/v1/tickets`, { name, totalQuantity });
    if (answer.status !== 201) throw new Error(`creating ticket ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.id as number;
  }

  /** GET /readyz on every live API; a violation unless each is 503 naming `down` (and only it) as down. */
  async expectNotReady(down: 'database' | 'redis'): Promise<void> {
    const up = down === 'database' ? 'redis' : 'database';
    const seen: string[] = [];
    for (const url of this.cluster.apiUrls()) {
      const answer = await this.http.get(`${url}/readyz`);
      const checks = answer.body?.checks ?? {};
      seen.push(`${answer.status} ${JSON.stringify(checks)} in ${Math.round(answer.receivedAt - answer.sentAt)} ms`);
      this.facts[`/readyz while the ${down} is down`] = seen.join('; ');
      if (answer.status !== 503 || checks[down] !== 'down' || checks[up] !== 'up') {
        this.violation(`/readyz of ${url} with the ${down} down: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
  }

  /**
   * G8 over a Redis outage from downAt to upAt: every unacknowledged submission answered 503
   * QUEUE_UNAVAILABLE with Retry-After, within 1 s when sent during the outage. `outage` words
   * the outage for violation messages ("down +1.2 s to +3.4 s").
   */
  checkRedisOutage(entries: readonly Entry[], downAt: number, upAt: number, outage: string): ReturnType<typeof checkUnavailableAnswers> {
    const g8 = checkUnavailableAnswers(entries, {
      maxMs: 1000,
      outage: [downAt, upAt],
      noAnswerAllowed: false,
      when: (at) => `${this.elapsed(at)} (Redis ${outage})`,
      serverMs: (id) => this.cluster.serverTime(id),
    });
    this.violations.push(...g8.violations);
    this.facts['503 QUEUE_UNAVAILABLE answers'] = g8.unavailable;
    return g8;
  }

  /**
   * Waits for every acknowledged request's answer (bounded), reads the database and checks
   * G1–G5; answers no contract allows, seen by the ledger, are violations too.
   */
  async finish(input: {
    ticketId: number;
    totalQuantity: number;
    entries: readonly Entry[];
    resubmissions?: readonly Entry[];
    allowForgotten?: boolean;
    faultEnds: readonly number[];
    settleMs?: number;
  }): Promise<DropCounts> {
    await this.ledger.settle(input.settleMs ?? 30_000);
    if (this.ledger.unsettled > 0) this.log(`${this.ledger.unsettled} requests still unanswered at the deadline`);
    const [rows, ticket] = await Promise.all([this.db.issueRows(input.ticketId), this.db.ticket(input.ticketId)]);
    const { violations, ...counts } = checkDrop({
      totalQuantity: input.totalQuantity,
      entries: input.entries,
      resubmissions: input.resubmissions ?? [],
      rows,
      ticket,
      allowForgotten: input.allowForgotten ?? false,
      faultEnds: input.faultEnds,
    });
    this.violations.push(...violations, ...this.ledger.unexpected((at) => this.elapsed(at)).map((line) => `unexpected: ${line}`));
    this.facts['slowest poll (waitMs=2000)'] = `${Math.round(this.ledger.slowestPollMs)} ms`;
    const noAnswer = input.entries.reduce((n, entry) => n + entry.attempts.filter((a) => a.status === 0).length, 0);
    if (noAnswer > 0) this.facts['submissions without an HTTP answer'] = noAnswer;
    return counts;
  }
}

/**
 * Runs one scenario on its own stage and always takes the stage down: every process gets SIGTERM
 * and must exit 0 within 10 s (docs/CONTRACT.md), whatever the fault did to it before.
 */
export async function runScenario(
  meta: { scenario: string; title: string },
  infra: FaultInfra,
  env: Record<string, string>,
  size: ScenarioSize,
  body: (stage: Stage) => Promise<DropCounts>,
): Promise<ScenarioReport> {
  const log = size.log ?? (() => undefined);
  const startedAt = Date.now();
  const stage = await Stage.start(infra, env, log);
  let counts: DropCounts | null = null;
  try {
    counts = await body(stage);
  } catch (error) {
    stage.violation(`scenario failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    await stage.ledger.close();
    stage.http.close();
    const exits = await stage.cluster.close();
    for (const [name, exit] of exits) {
      if (exit.code !== 0 || exit.ms > 10_000)
        stage.violation(`${name} after SIGTERM: exit ${exit.code ?? exit.signal} after ${exit.ms} ms`);
    }
  }
  const report: ScenarioReport = {
    ...meta,
    counts: counts ?? emptyDropCounts(),
    facts: stage.facts,
    violations: stage.violations,
    durationMs: Date.now() - startedAt,
    diagnostics: stage.violations.length > 0 ? stage.cluster.outputs() : '',
  };
  log(
    `${report.violations.length === 0 ? 'survived' : `${report.violations.length} violations`} in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  return report;
}

export async function sleepUntil(at: number): Promise<void> {
  const wait = at - Date.now();
  if (wait > 0) await sleep(wait);
}

/** Members `from..to` of the list, for scenarios that send groups at different moments. */
export function slice(ids: readonly number[], from: number, count: number): number[] {
  return ids.slice(from, from + count);
}
