import type { Entry } from './ledgerEntry.js';

/**
 * G3 from the clients' clocks. A member's send time is its first attempt's (a 503'd attempt may
 * still have landed in the queue); an answer counts from the acknowledgement or 409's arrival.
 * (1) No request sent after a refused request's answer arrived is ISSUED. (2) If A's
 * acknowledgement arrived before B was sent and both are ISSUED, A has the smaller issue number.
 * Returns how many broke it.
 */
export function checkFirstComeFirstServed(entries: readonly Entry[], add: (message: string) => void): number {
  let violations = 0;
  const firstSend = (entry: Entry) => entry.attempts[0]?.sentAt ?? Infinity;
  const refusedAnswers = entries.flatMap((entry) => {
    if (entry.refusal?.code === 'SOLD_OUT') return [entry.refusal.receivedAt];
    if (entry.final?.status === 'REJECTED' && entry.final.reason === 'SOLD_OUT' && entry.ack) return [entry.ack.receivedAt];
    return [];
  });
  const earliestRefusal = Math.min(Infinity, ...refusedAnswers);
  const issued = entries.filter((entry) => entry.ack && entry.final?.status === 'ISSUED');
  for (const entry of issued) {
    if (firstSend(entry) > earliestRefusal) {
      violations += 1;
      add(
        `G3: member ${entry.memberId} was sent ${(firstSend(entry) - earliestRefusal).toFixed(1)} ms after a refusal reached its client, yet ISSUED`,
      );
    }
  }
  issued.sort((a, b) => b.final!.issueNumber! - a.final!.issueNumber!);
  let earliestAckAbove = Infinity;
  let holderAbove: Entry | null = null;
  for (const entry of issued) {
    if (earliestAckAbove < firstSend(entry)) {
      violations += 1;
      add(
        `G3: member ${holderAbove!.memberId} was acknowledged before member ${entry.memberId} was sent, yet got #${holderAbove!.final!.issueNumber} after #${entry.final!.issueNumber}`,
      );
    }
    if (entry.ack!.receivedAt < earliestAckAbove) {
      earliestAckAbove = entry.ack!.receivedAt;
      holderAbove = entry;
    }
  }
  return violations;
}
