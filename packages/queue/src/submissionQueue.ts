import { randomBytes } from 'node:crypto';
import {
  QueueUnavailableError,
  TurnBatches,
  type Admission,
  type AdmissionInput,
  type DecisionWatch,
  type LineProgress,
  type LineReading,
  type LineTotals,
  type Outcome,
  type QueuedRequest,
  type StoredRequest,
  type SubmissionQueue,
  type TicketRef,
  ticketRef,
} from '@ticketing/core';
import { DecisionFeed } from './decisionFeed.js';
import { jobSequence, openJobData, parseJobData } from './jobData.js';
import { activeEntry, activeTicketsKey, isSealedBy, parseRequestId, ticketKeys } from './keys.js';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

/** Most submissions in one script call: bounds how long one call holds Redis. */
const MAX_BATCH = 500;

/**
 * The API's side of the per-ticket queues in BullMQ: each ticket has its own queue, a request is
 * a job whose id is the requestId and whose result is the request's outcome. Admission is
 * admitBatch.lua; enqueueBatch.lua stores the jobs as BullMQ does, with their places in line.
 */
export class RedisSubmissionQueue implements SubmissionQueue {
  #feed: DecisionFeed | null = null;
  // Batched per ticket row (id and generation), since each row has its own keys and seal.
  readonly #admissions = new TurnBatches<string, AdmissionInput, Admission>((_, inputs) => this.#admitAll(inputs), MAX_BATCH);
  readonly #enqueues = new TurnBatches<string, QueuedRequest, LineReading | null>((_, requests) => this.#enqueueAll(requests), MAX_BATCH);

  constructor(
    private readonly redis: RedisClient,
    private readonly options: { prefix: string },
  ) {}

  /**
   * Submissions of one ticket made during one event-loop turn share one script call, decided in
   * the order admit was called: one round trip per ticket and turn instead of one each.
   */
  admit(input: AdmissionInput): Promise<Admission> {
    return this.#admissions.add(`${input.ticketId}:${input.generation}`, input);
  }

  async #admitAll(inputs: readonly AdmissionInput[]): Promise<Admission[]> {
    const { ticketId, generation } = inputs[0]!;
    const keys = ticketKeys(this.options.prefix, ticketRef(ticketId, generation));
    const nonces = randomBytes(4 * inputs.length).toString('hex');
    const args: Array<string | number> = [ticketId, generation];
    inputs.forEach(({ memberId, window, totalQuantity }, n) => {
      args.push(memberId, window, totalQuantity, nonces.slice(8 * n, 8 * n + 8));
    });
    const reply = await unavailableOnError(() =>
      runScript<string[]>(this.redis, 'admitBatch', [keys.members, keys.soldOut, keys.ended], args),
    );
    return inputs.map((input, n) => admission(input, reply[2 * n]!, reply[2 * n + 1]!));
  }

  /**
   * Idempotent per requestId. Requests of one ticket enqueued during one event-loop turn enter
   * its queue in one enqueueBatch.lua call, in the order enqueue was called, each given its
   * sequence number in the line, and mark the ticket active once.
   */
  enqueue(request: QueuedRequest): Promise<LineReading | null> {
    return this.#enqueues.add(activeEntry(refOf(request.requestId)), request);
  }

  /** The request ids name their row's queue (admitBatch.lua put the epoch in them). */
  async #enqueueAll(requests: readonly QueuedRequest[]): Promise<Array<LineReading | null>> {
    const ticket = refOf(requests[0]!.requestId);
    const keys = ticketKeys(this.options.prefix, ticket);
    const args: Array<string | number> = [keys.jobPrefix, Date.now()];
    for (const request of requests) args.push(request.requestId, openJobData(request));
    const reply = await unavailableOnError(async () => {
      const answer = await runScript<Array<number | string>>(
        this.redis,
        'enqueueBatch',
        [keys.wait, keys.events, keys.line, keys.pace],
        args,
      );
      // After the jobs, never before: a worker retiring the ticket re-checks the queue after removing it.
      await this.redis.sadd(activeTicketsKey(this.options.prefix), activeEntry(ticket));
      return answer;
    });
    const decided = Number(reply[0]);
    const decidedPerSecond = paceOf(reply[1]);
    return requests.map((_, n) => {
      const sequence = Number(reply[2 + n]);
      return sequence >= 0 ? { sequence, decided, decidedPerSecond } : null;
    });
  }

  async findRequest(requestId: string): Promise<StoredRequest | null> {
    const parts = parseRequestId(requestId);
    if (parts === null) return null;
    const keys = ticketKeys(this.options.prefix, parts);
    // One round trip: the job, and the line's progress for a pending one (the same slot in a cluster).
    const [job, decided, pace] = await unavailableOnError(() =>
      valuesOf<[Array<string | null>, string | null, string | null]>(
        this.redis
          .pipeline()
          .hmget(keys.jobPrefix + requestId, 'data', 'returnvalue')
          .hget(keys.line, 'decided')
          .get(keys.pace),
      ),
    );
    const [data, result] = job;
    const request = parseJobData(requestId, data);
    if (request !== null) {
      const outcome = result ? (JSON.parse(result) as Outcome) : null;
      const sequence = outcome === null ? jobSequence(data) : null;
      const line = sequence === null ? null : { sequence, decided: Number(decided ?? 0), decidedPerSecond: paceOf(pace) };
      return { kind: 'FOUND', request, outcome, line };
    }
    return { kind: 'ABSENT', ticketId: parts.ticketId, memberId: parts.memberId };
  }

  isSealed(requestId: string, generation: string): boolean {
    const parts = parseRequestId(requestId);
    return parts !== null && generation.startsWith(parts.epoch) && isSealedBy(generation, requestId);
  }

  watchDecision(requestId: string): DecisionWatch {
    this.#feed ??= new DecisionFeed(this.redis, this.options.prefix);
    return this.#feed.watch(requestId);
  }

  watchLine(ticketId: number, listener: (progress: LineProgress) => void): () => void {
    this.#feed ??= new DecisionFeed(this.redis, this.options.prefix);
    return this.#feed.followLine(ticketId, listener);
  }

  async readLine(ticket: TicketRef): Promise<LineTotals> {
    const keys = ticketKeys(this.options.prefix, ticket);
    const [line, pace] = await unavailableOnError(() =>
      valuesOf<[Record<string, string>, string | null]>(this.redis.pipeline().hgetall(keys.line).get(keys.pace)),
    );
    const count = (field: string) => Number(line[field] ?? 0);
    return {
      admitted: count('admitted'),
      decided: count('decided'),
      issued: count('issued'),
      rejected: count('rejected'),
      failed: count('failed'),
      decidedPerSecond: paceOf(pace),
    };
  }

  /** Subscribes to decisions ahead of the first long poll. */
  async startDecisionFeed(): Promise<void> {
    this.#feed ??= new DecisionFeed(this.redis, this.options.prefix);
    await this.#feed.start();
  }

  /** Closes the decision feed's connection; not the caller's connection. */
  async close(): Promise<void> {
    await this.#feed?.close();
  }
}

/** The queue a request id names; enqueue is only given ids admitBatch.lua made. */
function refOf(requestId: string): TicketRef {
  const parts = parseRequestId(requestId);
  if (parts === null) throw new TypeError(`not a request id: ${requestId}`);
  return { ticketId: parts.ticketId, epoch: parts.epoch };
}

/** A pipeline's replies in order; the first failed command's error rejects it. */
async function valuesOf<T extends unknown[]>(pipeline: ChainableCommander): Promise<T> {
  const replies = (await pipeline.exec()) ?? [];
  for (const [error] of replies) if (error) throw error;
  return replies.map(([, value]) => value) as T;
}

/** The pace a drainer stored (decisions per second), or null when none is current. */
function paceOf(value: number | string | null | undefined): number | null {
  const pace = Number(value);
  return value === '' || value == null || !(pace > 0) ? null : pace;
}

function admission({ ticketId, memberId, acceptedAt }: AdmissionInput, kind: string, value: string): Admission {
  if (kind === 'REFUSED') return { kind, code: value as 'SOLD_OUT' | 'NOT_OPEN' | 'CLOSED' };
  if (kind === 'ENDED') return { kind };
  return { kind: kind as 'ADMITTED' | 'EXISTING', request: { requestId: value, ticketId, memberId, acceptedAt } };
}

async function unavailableOnError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new QueueUnavailableError(error);
  }
}
