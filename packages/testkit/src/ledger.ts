import { type Attempt, type Entry, type FinalAnswer, newEntry } from './ledgerEntry.js';
import { now, TimedHttp, type Answer } from './timedHttp.js';
import { sleep } from './waitUntil.js';

export interface LedgerOptions {
  submitSockets?: number;
  pollLanes?: number;
  /** How long one submission keeps retrying 503s and refused connections. */
  submitDeadlineMs?: number;
  pollWaitMs?: number;
}

/**
 * The client side of a drop: submits with a client's manners (a 503 or a refused connection is
 * not an answer, so it retries, honouring Retry-After; only 202 and 200 acknowledge a request),
 * long-polls every acknowledged request until it is decided, and keeps every answer.
 */
export class Ledger {
  readonly entries: Entry[] = [];
  /** Poll answers by HTTP status (0: no answer). */
  readonly pollStatuses = new Map<number, number>();
  /** Answers no contract allows (a 500, a poll 4xx other than 404): how many of each, and the first. */
  readonly unexpectedAnswers = new Map<string, { count: number; first: string; at: number }>();

  /** The slowest poll answer (any status), in ms: a long-poll should answer by its waitMs. */
  slowestPollMs = 0;

  readonly #submitHttp: TimedHttp;
  readonly #pollHttp: TimedHttp;
  readonly #pending: Entry[] = [];
  readonly #lanes: Promise<void>[] = [];
  readonly #options: Required<LedgerOptions>;
  #rotation = 0;
  #attempts = 0;
  #inFlight = 0;
  #closed = false;

  constructor(
    private readonly apis: () => string[],
    options: LedgerOptions = {},
  ) {
    this.#options = { submitSockets: 128, pollLanes: 96, submitDeadlineMs: 60_000, pollWaitMs: 2000, ...options };
    this.#submitHttp = new TimedHttp(this.#options.submitSockets, 5000);
    this.#pollHttp = new TimedHttp(this.#options.pollLanes, this.#options.pollWaitMs + 10_000);
    for (let i = 0; i < this.#options.pollLanes; i++) this.#lanes.push(this.#pollLane());
  }

  group(name: string): Entry[] {
    return this.entries.filter((entry) => entry.group === name);
  }

  /** Submits until acknowledged, refused or past the deadline; polling starts on acknowledgement. */
  async submit(ticketId: number, memberId: number, group: string): Promise<Entry> {
    const entry = newEntry(ticketId, memberId, group);
    this.entries.push(entry);
    const deadline = now() + this.#options.submitDeadlineMs;
    while (!this.#closed) {
      const api = this.#nextApi();
      if (api === null) {
        if (now() > deadline) break;
        await sleep(50);
        continue;
      }
      const id = `fault-${++this.#attempts}`;
      const answer = await this.#submitHttp.post(`${api}/api/v1/tickets/${ticketId}/issue-requests`, { memberId }, undefined, {
        'x-request-id': id,
      });
      const attempt = toAttempt(id, api, answer);
      entry.attempts.push(attempt);
      if ((answer.status === 202 || answer.status === 200) && typeof answer.body?.requestId === 'string') {
        entry.ack = { status: answer.status, requestId: answer.body.requestId, sentAt: answer.sentAt, receivedAt: answer.receivedAt };
        this.#pending.push(entry);
        return entry;
      }
      if (answer.status >= 400 && answer.status < 500) {
        entry.refusal = { status: answer.status, code: attempt.code, receivedAt: answer.receivedAt };
        return entry;
      }
      if (answer.status === 0 && answer.error?.startsWith('no answer within'))
        this.#note('submission without an answer', `member ${memberId} via ${api}: ${answer.error}`, answer.sentAt);
      if (answer.status >= 500 && answer.status !== 503)
        this.#note(`submit ${answer.status} ${attempt.code ?? ''}`, `member ${memberId} via ${api}: ${short(answer.body)}`, answer.sentAt);
      if (now() > deadline) break;
      await sleep(retryDelay(answer));
    }
    entry.gaveUp = true;
    return entry;
  }

  /**
   * Submits each member once, spread over `concurrency` clients; with ratePerSec, the n-th
   * submission starts no earlier than n / ratePerSec seconds in, so a drop lasts long enough for
   * a fault to land in its middle.
   */
  async submitPaced(
    ticketId: number,
    memberIds: readonly number[],
    group: string,
    pace: { concurrency: number; ratePerSec?: number },
  ): Promise<Entry[]> {
    const startedAt = now();
    const results: Entry[] = new Array(memberIds.length);
    let next = 0;
    const lane = async () => {
      while (next < memberIds.length && !this.#closed) {
        const index = next++;
        if (pace.ratePerSec) {
          const due = startedAt + (index * 1000) / pace.ratePerSec;
          if (due > now()) await sleep(due - now());
        }
        results[index] = await this.submit(ticketId, memberIds[index]!, group);
      }
    };
    await Promise.all(Array.from({ length: Math.min(pace.concurrency, memberIds.length) }, lane));
    return results;
  }

  /** Waits until every acknowledged request has its answer, or timeoutMs has passed. */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = now() + timeoutMs;
    while (now() < deadline && this.#pending.length + this.#inFlight > 0) await sleep(50);
  }

  /** Acknowledged requests still without an answer. */
  get unsettled(): number {
    return this.#pending.length + this.#inFlight;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#lanes);
    this.#submitHttp.close();
    this.#pollHttp.close();
  }

  // Lanes take the oldest unanswered request, ask once (long-polling), and put it back at the end
  // if it is still PENDING: the oldest are the next to be decided, since the queue is FIFO.
  async #pollLane(): Promise<void> {
    const notFound = new WeakMap<Entry, number>();
    while (!this.#closed) {
      const entry = this.#pending.shift();
      if (!entry) {
        await sleep(20);
        continue;
      }
      this.#inFlight += 1;
      try {
        const api = this.#nextApi();
        if (api === null) {
          this.#pending.push(entry);
          await sleep(50);
          continue;
        }
        const requestId = entry.ack!.requestId;
        const answer = await this.#pollHttp.get(
          `${api}/api/v1/issue-requests/${encodeURIComponent(requestId)}?waitMs=${this.#options.pollWaitMs}`,
        );
        this.pollStatuses.set(answer.status, (this.pollStatuses.get(answer.status) ?? 0) + 1);
        if (answer.status !== 0) this.slowestPollMs = Math.max(this.slowestPollMs, answer.receivedAt - answer.sentAt);
        if (answer.status === 200 && answer.body?.status && answer.body.status !== 'PENDING') {
          entry.final = answer.body as FinalAnswer;
          entry.settledAt = answer.receivedAt;
          continue;
        }
        if (answer.status === 404) {
          // Asked twice, a moment apart, so a 404 from a passing glitch is not taken for a verdict.
          const seen = (notFound.get(entry) ?? 0) + 1;
          notFound.set(entry, seen);
          if (seen >= 2) {
            entry.notFound = true;
            entry.settledAt = answer.receivedAt;
            continue;
          }
        } else if (answer.status === 0 && answer.error?.startsWith('no answer within')) {
          // A long-poll answers by waitMs at the latest; one that hangs far beyond is a fault.
          this.#note(
            `poll without an answer (waitMs=${this.#options.pollWaitMs})`,
            `${requestId} via ${api}: ${answer.error}`,
            answer.sentAt,
          );
        } else if (answer.status !== 200 && answer.status !== 503 && answer.status !== 0) {
          this.#note(`poll ${answer.status} ${answer.body?.code ?? ''}`, `${requestId} via ${api}: ${short(answer.body)}`, answer.sentAt);
        }
        this.#pending.push(entry);
        // Not decided: wait a little unless the server already held the poll (a long-poll cut
        // short, say by a shutting-down API, must not turn the lanes into a busy loop).
        if (answer.status !== 200) await sleep(200);
        else if (answer.receivedAt - answer.sentAt < 100) await sleep(50);
      } finally {
        this.#inFlight -= 1;
      }
    }
  }

  #nextApi(): string | null {
    const apis = this.apis();
    if (apis.length === 0) return null;
    return apis[this.#rotation++ % apis.length]!;
  }

  /** Answers no contract allows, one line per kind; `when` tells a moment of the drop. */
  unexpected(when: (at: number) => string = String): string[] {
    return [...this.unexpectedAnswers].map(([kind, { count, first, at }]) => `${count}× ${kind.trim()}; first sent ${when(at)}: ${first}`);
  }

  #note(kind: string, example: string, sentAt: number): void {
    const seen = this.unexpectedAnswers.get(kind);
    if (seen) seen.count += 1;
    else this.unexpectedAnswers.set(kind, { count: 1, first: example, at: sentAt });
  }
}

function toAttempt(id: string, api: string, answer: Answer): Attempt {
  const retryAfter = answer.headers['retry-after'];
  return {
    id,
    api,
    sentAt: answer.sentAt,
    receivedAt: answer.receivedAt,
    status: answer.status,
    code: typeof answer.body?.code === 'string' ? answer.body.code : null,
    retryAfter: typeof retryAfter === 'string' ? Number(retryAfter) : null,
    requestId:
      (answer.status === 202 || answer.status === 200) && typeof answer.body?.requestId === 'string' ? answer.body.requestId : null,
    ...(answer.error ? { error: answer.error } : {}),
  };
}

/** Retry-After is honoured (at most a second, with jitter so clients do not return in step). */
function retryDelay(answer: Answer): number {
  const header = Number(answer.headers['retry-after']);
  const base = answer.status === 503 && Number.isFinite(header) ? Math.min(header * 1000, 1000) : answer.status === 0 ? 150 : 500;
  return base * (0.5 + Math.random() / 2);
}

function short(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return (text ?? '').slice(0, 200);
}
