import { randomBytes } from 'node:crypto';
import {
  QueueUnavailableError,
  TurnBatches,
  type Admission,
  type AdmissionInput,
  type DecisionWatch,
  type Outcome,
  type QueuedRequest,
  type StoredRequest,
  type SubmissionQueue,
  type TicketRef,
  ticketRef,
} from '@ticketing/core';
import { BullQueues } from './bullQueues.js';
import { DecisionFeed } from './decisionFeed.js';
import { parseJobData, type JobData } from './jobData.js';
import { activeEntry, activeTicketsKey, isSealedBy, parseRequestId, ticketKeys } from './keys.js';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

const JOB_NAME = 'issue';
/** Most submissions in one script call or addBulk: bounds how long one call holds Redis. */
const MAX_BATCH = 500;

/**
 * The API's side of the per-ticket queues in BullMQ: each ticket has its own queue, a request is
 * a job whose id is the requestId and whose result is the request's outcome. Admission is
 * admitBatch.lua; jobs are added through BullMQ itself.
 */
export class RedisSubmissionQueue implements SubmissionQueue {
  readonly #queues: BullQueues;
  #feed: DecisionFeed | null = null;
  // Batched per ticket row (id and generation), since each row has its own keys and seal.
  readonly #admissions = new TurnBatches<string, AdmissionInput, Admission>((_, inputs) => this.#admitAll(inputs), MAX_BATCH);
  readonly #enqueues = new TurnBatches<string, QueuedRequest, undefined>((_, requests) => this.#enqueueAll(requests), MAX_BATCH);

  constructor(
    private readonly redis: RedisClient,
    private readonly options: { prefix: string },
  ) {
    this.#queues = new BullQueues(redis, options.prefix);
  }

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
   * Idempotent per requestId. Requests of one ticket enqueued during one event-loop turn are added
   * with one BullMQ addBulk, in the order enqueue was called, and mark the ticket active once.
   */
  enqueue(request: QueuedRequest): Promise<void> {
    return this.#enqueues.add(activeEntry(refOf(request.requestId)), request);
  }

  /** The request ids name their row's queue (admitBatch.lua put the epoch in them). */
  async #enqueueAll(requests: readonly QueuedRequest[]): Promise<undefined[]> {
    const ticket = refOf(requests[0]!.requestId);
    const { ticketId } = ticket;
    const jobs = requests.map(({ requestId, memberId, acceptedAt }) => ({
      name: JOB_NAME,
      data: { ticketId, memberId, acceptedAt } satisfies JobData,
      // A job id that exists already is not added again: enqueueing is idempotent.
      opts: { jobId: requestId, removeOnComplete: false, removeOnFail: false },
    }));
    await unavailableOnError(
      async () => {
        // A BullMQ Queue made while the connection is down waits for it to come back; refuse at
        // once instead, as the fail-fast client refuses every other command meanwhile.
        if (this.redis.status !== 'ready') throw new Error(`the Redis connection is ${this.redis.status}`);
        await this.#queues.get(ticket).addBulk(jobs);
        // After the add, never before: a worker retiring the ticket re-checks the queue after removing it.
        await this.redis.sadd(activeTicketsKey(this.options.prefix), activeEntry(ticket));
      },
      () => this.#queues.forget(ticket),
    );
    return requests.map(() => undefined);
  }

  async findRequest(requestId: string): Promise<StoredRequest | null> {
    const parts = parseRequestId(requestId);
    if (parts === null) return null;
    const keys = ticketKeys(this.options.prefix, parts);
    const [data, result] = await unavailableOnError(() => this.redis.hmget(keys.jobPrefix + requestId, 'data', 'returnvalue'));
    const request = parseJobData(requestId, data);
    if (request !== null) return { kind: 'FOUND', request, outcome: result ? (JSON.parse(result) as Outcome) : null };
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

  /** Subscribes to decisions ahead of the first long poll. */
  async startDecisionFeed(): Promise<void> {
    this.#feed ??= new DecisionFeed(this.redis, this.options.prefix);
    await this.#feed.start();
  }

  /** Closes the BullMQ queue objects and the decision feed's connection; not the caller's connection. */
  async close(): Promise<void> {
    await Promise.all([this.#queues.close(), this.#feed?.close()]);
  }
}

/** The queue a request id names; enqueue is only given ids admitBatch.lua made. */
function refOf(requestId: string): TicketRef {
  const parts = parseRequestId(requestId);
  if (parts === null) throw new TypeError(`not a request id: ${requestId}`);
  return { ticketId: parts.ticketId, epoch: parts.epoch };
}

function admission({ ticketId, memberId, acceptedAt }: AdmissionInput, kind: string, value: string): Admission {
  if (kind === 'REFUSED') return { kind, code: value as 'SOLD_OUT' | 'NOT_OPEN' | 'CLOSED' };
  if (kind === 'ENDED') return { kind };
  return { kind: kind as 'ADMITTED' | 'EXISTING', request: { requestId: value, ticketId, memberId, acceptedAt } };
}

async function unavailableOnError<T>(work: () => Promise<T>, onError?: () => void): Promise<T> {
  try {
    return await work();
  } catch (error) {
    onError?.();
    throw new QueueUnavailableError(error);
  }
}
