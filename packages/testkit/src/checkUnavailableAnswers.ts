import { describeAttempt } from './checkDrop.js';
import type { Entry } from './ledgerEntry.js';

/**
 * G8, on every submission that was not answered 202/200/409: it must be 503 QUEUE_UNAVAILABLE
 * with Retry-After; and every submission sent while Redis was away (`outage`: from, to) must
 * have had its answer within maxMs. Latency is judged inside the outage only: a request sent
 * before it that is answered 503 once Redis is gone measures the machine, not the fail-fast path.
 * `noAnswerAllowed`: refused connections are expected (an API was shut down).
 */
export function checkUnavailableAnswers(
  entries: readonly Entry[],
  options: {
    maxMs: number;
    outage: readonly [number, number];
    noAnswerAllowed: boolean;
    when?: (at: number) => string;
    serverMs?: (attemptId: string) => number | undefined;
  },
): { unavailable: number; sentDuringOutage: number; slowestDuringOutage: number; violations: string[] } {
  const violations: string[] = [];
  let unavailable = 0;
  let sentDuringOutage = 0;
  let slowestDuringOutage = 0;
  const [from, to] = options.outage;
  for (const entry of entries) {
    for (const attempt of entry.attempts) {
      const ms = attempt.receivedAt - attempt.sentAt;
      const during = attempt.sentAt >= from && attempt.sentAt <= to;
      if (during) {
        sentDuringOutage += 1;
        slowestDuringOutage = Math.max(slowestDuringOutage, ms);
      }
      const problems: string[] = [];
      if (![200, 202, 409].includes(attempt.status) && !(attempt.status === 0 && options.noAnswerAllowed)) {
        if (attempt.status === 503) unavailable += 1;
        if (attempt.status !== 503 || attempt.code !== 'QUEUE_UNAVAILABLE') problems.push(describeAttempt(attempt));
        else if (!attempt.retryAfter) problems.push('503 without Retry-After');
      }
      if (during && ms >= options.maxMs) {
        // The API's own measure tells a slow server from a client or machine too busy to read the answer.
        const server = attempt.id === undefined ? undefined : options.serverMs?.(attempt.id);
        problems.push(
          `answered ${attempt.status} after ${ms.toFixed(0)} ms${server === undefined ? '' : ` (the API logged ${Math.round(server)} ms)`}`,
        );
      }
      if (problems.length > 0 && violations.length < 50) {
        const when = options.when ? ` sent ${options.when(attempt.sentAt)}` : '';
        violations.push(`G8: submission of member ${entry.memberId}${when} via ${attempt.api}: ${problems.join(', ')}`);
      }
    }
  }
  return { unavailable, sentDuringOutage, slowestDuringOutage, violations };
}
