import { performance } from 'node:perf_hooks';
import { checkDrop, type DropReport } from './checkDrop.js';
import { entriesOf, type FinalAnswer, type SubmissionRecord } from './ledgerEntry.js';
import { type HttpClient, runPool } from './http.js';

/** Attempts of one call answered 503 before a test gives up on it. */
const MAX_ATTEMPTS = 30;

/**
 * Creates `count` members named `<tag>-<n>` through the APIs; returns their ids in order. Like a
 * real client, a 503 (a database slower than the pool's wait on a crowded machine) is retried after
 * Retry-After; a name taken on the retry is the earlier attempt's member, found by its name.
 */
export async function createMembers(
  client: HttpClient,
  apis: string[],
  tag: string,
  count: number,
  concurrency = 100,
  onProgress?: () => void,
): Promise<number[]> {
  return runPool(count, concurrency, async (n) => {
    const name = `${tag}-${n}`;
    for (let attempt = 1; ; attempt += 1) {
      const api = apis[(n + attempt) % apis.length];
      const res = await client.post(`${api}/api/v1/members`, { name });
      let id: number | null = res.status === 201 ? res.body.id : null;
      if (res.status === 409 && attempt > 1) {
        const found = await client.get(`${api}/api/v1/members?name=${encodeURIComponent(name)}`);
        if (found.status === 200) id = found.body.id;
      }
      if (id !== null) {
        onProgress?.();
        return id;
      }
      if (res.status !== 503 || attempt >= MAX_ATTEMPTS) throw new Error(`member ${n}: ${res.status} ${JSON.stringify(res.body)}`);
      await new Promise((resolve) => setTimeout(resolve, Number(res.headers['retry-after'] ?? 1) * 1000));
    }
  });
}

export async function createTicket(client: HttpClient, api: string, name: string, totalQuantity: number): Promise<number> {
  const res = await client.post(`${api}/api/v1/tickets`, { name, totalQuantity });
  if (res.status !== 201) throw new Error(`ticket: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** One member asking for one ticket. */
export interface Ask {
  ticketId: number;
  memberId: number;
}

/** Each member submits `perMember` times for one ticket, all in shuffled order (see submitAsks). */
export async function submitAll(
  client: HttpClient,
  apis: string[],
  ticketId: number,
  memberIds: number[],
  perMember: number,
  concurrency: number,
  onProgress?: () => void,
): Promise<SubmissionRecord[]> {
  const asks = memberIds.flatMap((memberId) => Array.from({ length: perMember }, () => ({ ticketId, memberId })));
  return submitAsks(client, apis, shuffled(asks), concurrency, onProgress);
}

/**
 * Sends the asks in the given order through `concurrency` clients spread over the APIs. Like a
 * real client, a 503 is no answer: it is retried after Retry-After (every attempt is recorded;
 * only 202, 200 and 409 answer).
 */
export async function submitAsks(
  client: HttpClient,
  apis: string[],
  asks: Ask[],
  concurrency: number,
  onProgress?: () => void,
): Promise<SubmissionRecord[]> {
  const attempts = await runPool(asks.length, concurrency, async (n) => {
    const { ticketId, memberId } = asks[n]!;
    const records: SubmissionRecord[] = [];
    for (let attempt = 1; ; attempt += 1) {
      const sentAt = performance.now();
      const res = await client.post(`${apis[(n + attempt) % apis.length]}/api/v1/tickets/${ticketId}/issue-requests`, { memberId });
      records.push({
        ticketId,
        memberId,
        sentAt,
        receivedAt: performance.now(),
        httpStatus: res.status,
        requestId: res.body?.requestId ?? null,
        code: res.body?.code ?? null,
        retryAfter: res.headers['retry-after'] === undefined ? null : Number(res.headers['retry-after']),
      });
      if (res.status !== 503 || attempt >= MAX_ATTEMPTS) break;
      await new Promise((resolve) => setTimeout(resolve, Number(res.headers['retry-after'] ?? 1) * 1000));
    }
    onProgress?.();
    return records;
  });
  return attempts.flat();
}

export function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/**
 * Long-polls every accepted request until it is decided (or the deadline passes). Like a real
 * client, a 503 (Redis slower than the API's bound on a crowded machine) is retried after Retry-After.
 */
export async function pollAll(
  client: HttpClient,
  apis: string[],
  submissions: SubmissionRecord[],
  concurrency: number,
  deadlineMs = 120_000,
  onProgress?: () => void,
): Promise<Map<string, FinalAnswer>> {
  const requestIds = [...new Set(submissions.flatMap((s) => (s.requestId ? [s.requestId] : [])))];
  const finals = new Map<string, FinalAnswer>();
  const deadline = Date.now() + deadlineMs;
  await runPool(requestIds.length, concurrency, async (n) => {
    const requestId = requestIds[n]!;
    for (;;) {
      const res = await client.get(`${apis[n % apis.length]}/api/v1/issue-requests/${requestId}?waitMs=5000`);
      if (res.status === 503 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, Number(res.headers['retry-after'] ?? 1) * 1000));
        continue;
      }
      if (res.status !== 200) throw new Error(`poll ${requestId}: ${res.status} ${JSON.stringify(res.body)}`);
      finals.set(requestId, res.body);
      if (res.body.status !== 'PENDING') return onProgress?.();
      if (Date.now() > deadline) return;
    }
  });
  return finals;
}

export async function runDrop(options: {
  client: HttpClient;
  apis: string[];
  ticketId: number;
  totalQuantity: number;
  memberIds: number[];
  perMember: number;
  concurrency: number;
  readRows: () => Promise<Array<{ id: number; memberId: number; issueNumber: number; requestId: string }>>;
  /** The request ids in queue order (readQueueOrder), for the check that issue numbers follow it. */
  readQueueOrder?: () => Promise<string[]>;
}): Promise<{ report: DropReport; submissions: SubmissionRecord[]; finals: Map<string, FinalAnswer>; queueOrder: string[] | null }> {
  const { client, apis, ticketId, memberIds, perMember, concurrency } = options;
  const submissions = await submitAll(client, apis, ticketId, memberIds, perMember, concurrency);
  const finals = await pollAll(client, apis, submissions, concurrency);
  const rows = await options.readRows();
  const queueOrder = options.readQueueOrder ? await options.readQueueOrder() : null;
  return {
    report: checkDrop({
      totalQuantity: options.totalQuantity,
      entries: entriesOf(submissions, finals),
      rows,
      ...(queueOrder ? { queueOrder } : {}),
    }),
    submissions,
    finals,
    queueOrder,
  };
}
