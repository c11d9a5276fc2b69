/**
 * Baseline (d)'s keys for one ticket, under the run's prefix; the hash tag keeps them in one slot,
 * as the gate script touches all three.
 */
export function gateKeys(prefix: string, ticketId: number): { members: string; issued: string; grants: string } {
  const base = `${prefix}:baseline-gate:{${ticketId}}`;
  return { members: `${base}:members`, issued: `${base}:issued`, grants: `${base}:grants` };
}

/** A grant as the gate script pushes it: "member:issueNumber". */
export function parseGrant(grant: string): { memberId: number; issueNumber: number } {
  const [memberId, issueNumber] = grant.split(':').map(Number);
  return { memberId: memberId!, issueNumber: issueNumber! };
}
