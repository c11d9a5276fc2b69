import { removeKeys, testTokens } from '@ticketing/testkit';
import { cannon } from './cannon.js';
import { forgetTicket, insertTicket, type BenchContext } from './context.js';
import { cpuTimeMs } from './processes.js';
import { startApi, type Api, type ProcessOptions } from './system.js';

/** Submissions on another ticket before the measured ones (JIT, connections, caches); not counted. */
export const ACCEPT_WARM_UP = 5000;

export interface AcceptResult {
  submissions: number;
  accepted: number;
  acceptedPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  otherStatuses: number;
  errors: number;
  /** CPU the API processes used per submission (all their threads), in µs. */
  apiCpuUsPerRequest: number;
}

/** Looks at the API once the measured submissions are in: `spareMembers` have not submitted to `ticketId`. */
export type AcceptCheck = (api: Api, ticketId: number, spareMembers: readonly number[]) => Promise<void>;

export interface AcceptHooks {
  /** Right before the measured submissions, after the warm-up. */
  beforeMeasured?: () => Promise<void>;
  /** Right after them, before the API stops. */
  afterMeasured?: AcceptCheck;
}

/**
 * Submissions of distinct members for one ticket with a huge stock through one API process (or
 * `apiProcess.apis` of them on one port) at 256 connections. No worker runs: this is the admission path alone (admitBatch.lua + BullMQ add + 202).
 * With enough members, the warm-up's members are not the measured ones: every measured token is
 * new to the API (its verifier caches the tokens it verified) and every member submits once.
 */
export async function accept(
  ctx: BenchContext,
  submissions: number,
  apiProcess: ProcessOptions = {},
  hooks: AcceptHooks = {},
): Promise<AcceptResult> {
  const api = await startApi(ctx, apiProcess);
  const tickets: number[] = [];
  // Each member's own token, minted before the clock runs.
  const authorizations = await Promise.all(ctx.memberIds.map(async (memberId) => `Bearer ${await testTokens.member(memberId)}`));
  const measured = Math.min(submissions, ctx.memberIds.length);
  const warmUpOffset = ctx.memberIds.length >= measured + ACCEPT_WARM_UP ? measured : 0;
  try {
    const shoot = async (amount: number, offset: number) => {
      const ticketId = await insertTicket(ctx.pool, 'accept', 10_000_000);
      tickets.push(ticketId);
      let next = 0;
      const ids = ctx.memberIds;
      const result = await cannon({
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
      return { result, ticketId };
    };
    await shoot(Math.min(ACCEPT_WARM_UP, submissions), warmUpOffset);
    await hooks.beforeMeasured?.();
    const apiCpuMs = () => api.servingPids.reduce((sum, pid) => sum + cpuTimeMs(pid), 0);
    const cpuBefore = apiCpuMs();
    const { result, ticketId } = await shoot(measured, 0);
    const cpuMs = apiCpuMs() - cpuBefore;
    await hooks.afterMeasured?.(api, ticketId, ctx.memberIds.slice(measured));
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
    // The per-member counts start afresh with each run, as each run's members submit once.
    await removeKeys(ctx.redis, `${ctx.prefix}:ratelimit:*`);
  }
}
