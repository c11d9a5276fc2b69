import type { IssueRow, TicketRow } from './ledgerEntry.js';

/**
 * G1 and G2 on a ticket's rows alone, for checks without a client ledger (the benchmarks): one
 * row per member, issue numbers 1..n once each, never beyond the stock, and, given the ticket
 * row, its issued_quantity counts the rows; given `expected`, exactly that many were issued.
 */
export function checkRows(input: { rows: readonly IssueRow[]; totalQuantity: number; ticket?: TicketRow; expected?: number }): {
  duplicates: number;
  overIssue: number;
  violations: string[];
} {
  const { rows, totalQuantity } = input;
  const violations: string[] = [];
  let duplicates = 0;
  const rowsByMember = new Map<number, number>();
  const numbers = new Map<number, number>();
  for (const row of rows) {
    rowsByMember.set(row.memberId, (rowsByMember.get(row.memberId) ?? 0) + 1);
    numbers.set(row.issueNumber, (numbers.get(row.issueNumber) ?? 0) + 1);
  }
  for (const [memberId, count] of rowsByMember) {
    if (count > 1) {
      duplicates += count - 1;
      violations.push(`G2: member ${memberId} holds ${count} tickets`);
    }
  }
  for (const [issueNumber, times] of numbers) {
    if (times > 1) {
      duplicates += times - 1;
      violations.push(`G1: issue number ${issueNumber} given ${times} times`);
    }
  }
  const overIssue = Math.max(0, rows.length - totalQuantity);
  if (overIssue > 0) violations.push(`G1: ${rows.length} rows for ${totalQuantity} tickets`);
  if (input.ticket && input.ticket.issuedQuantity !== rows.length)
    violations.push(`G1: ticket.issued_quantity ${input.ticket.issuedQuantity}, rows ${rows.length}`);
  for (let n = 1; n <= rows.length; n++) if (!numbers.has(n)) violations.push(`G1: issue number ${n} missing`);
  if (input.expected !== undefined && rows.length !== input.expected)
    violations.push(`G1: ${rows.length} issued, expected ${input.expected}`);
  return { duplicates, overIssue, violations };
}
