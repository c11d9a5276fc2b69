import type { Entry } from './ledgerEntry.js';

/**
 * G3 inside the service: issue numbers follow queue order. The clients' clocks (see
 * checkFirstComeFirstServed) cannot see the order within one batch, whose requests were all in
 * flight together; `queueOrder` is the order Redis queued them in (readQueueOrder). Walking it,
 * every ISSUED request must have a larger number than the issued ones queued before it, so a
 * batch decided newest-first breaks it. Returns how many broke it.
 */
export function checkQueueOrder(entries: readonly Entry[], queueOrder: readonly string[], add: (message: string) => void): number {
  const issued = new Map<string, number>();
  for (const entry of entries) {
    if (entry.ack && entry.final?.status === 'ISSUED' && entry.final.issueNumber !== null)
      issued.set(entry.ack.requestId, entry.final.issueNumber);
  }
  let violations = 0;
  let previous: { requestId: string; issueNumber: number } | null = null;
  for (const requestId of queueOrder) {
    const issueNumber = issued.get(requestId);
    if (issueNumber === undefined) continue;
    if (previous !== null && issueNumber <= previous.issueNumber) {
      violations += 1;
      add(`G3: request ${previous.requestId} was queued before ${requestId}, yet got #${previous.issueNumber} and it #${issueNumber}`);
    }
    previous = { requestId, issueNumber };
  }
  return violations;
}
