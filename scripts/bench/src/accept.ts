import { testTokens } from '@ticketing/testkit';
import { cannon } from './cannon.js';
import { forgetTicket, insertTicket, type BenchContext } from './context.js';
import { cpuTimeMs } from './processes.js';
import { startApi, type ProcessOptions } from './system.js';

export interface AcceptResult {
  submissions: number;
  accepted: number;
  acceptedPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  otherStatuses: number;
  errors: number;
  /** CPU the API process used per submission (all its threads), in µs. */
  apiCpuUsPerRequest: number;
}

/**
 * Submissions of distinct members for one ticket with a huge stock through ONE API process at 256
 * connections. No worker runs: this is the admission path alone (admitBatch.lua + BullMQ add + 202).
 */
export async function accept(ctx: BenchContext, submissions: number, apiProcess: ProcessOptions = {}): Promise<AcceptResult> {
  const api = await startApi(ctx, apiProcess);
  const tickets: number[] = [];
  // Each member's own token, minted before the clock runs; the API verifies each (distinct members: few cache hits).
  const authorizations = await Promise.all(ctx.memberIds.map(async (memberId) => `Bearer ${await testTokens.member(memberId)}`));
  try {
    const shoot = async (amount: number, offset: number) => {
      const ticketId = await insertTicket(ctx.pool, 'accept', 10_000_000);
      tickets.push(ticketId);
      let next = 0;
      const ids = ctx.memberIds;
      return cannon({
        url: api.url,
        connections: 256,
        amount,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: `/api/v1/tickets/${ticketId}/issue-requests`,
            headers: { 'content-type': 'application/json' },
            setupRequest: (request) => {
              const n = (offset + next++) % ids.length;
              return { ...request, headers: { ...request.headers, authorization: authorizations[n]! }, body: `{"memberId":${ids[n]}}` };
            },
          },
        ],
      });
    };
    await shoot(Math.min(5000, submissions), 0); // warm-up (JIT, connections, member cache), not counted
    const cpuBefore = cpuTimeMs(api.process.pid);
    const result = await shoot(Math.min(submissions, ctx.memberIds.length), 0);
    const cpuMs = cpuTimeMs(api.process.pid) - cpuBefore;
    const accepted = result.status['202'] ?? 0;
    return {
      submissions: result.requests,
      accepted,
      acceptedPerSecond: result.perSecond,
      p50: result.p50,
      p95: result.p95,
      p99: result.p99,
      otherStatuses: result.requests - accepted,
      errors: result.errors,
      apiCpuUsPerRequest: Math.round((cpuMs * 1000) / Math.max(1, result.requests)),
    };
  } finally {
    await api.process.stop();
    for (const ticketId of tickets) await forgetTicket(ctx, ticketId);
  }
}
