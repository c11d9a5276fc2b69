import type { BatchCommit, CommitResult, MemberTicket } from '@ticketing/core';
import { isUniqueViolation } from './errors.js';
import { Prisma, type PrismaClient } from './generated/prisma/client.js';

/** Thrown inside the transaction callback so Prisma rolls the transaction back. */
class StaleCommit extends Error {}

// A batch commits in milliseconds; the margin covers waiting behind another holder's
// commit on the ticket row. maxWait bounds the wait for a pooled connection.
const TRANSACTION_OPTIONS = { maxWait: 5_000, timeout: 15_000 } as const;

/**
 * One transaction of at most three statements (the hot path): the guarded ticket update, one
 * multi-row INSERT of the batch's member_ticket rows, and a read-back of their ids.
 * Unique violations mean another holder got there first: the transaction rolls back and the
 * commit is STALE, like a refused guard. Any other error propagates for the worker to retry.
 */
export async function commitBatch(prisma: PrismaClient, commit: BatchCommit): Promise<CommitResult> {
  assertNumberedFrom(commit);
  const { ticketId, fencingToken, expectedIssuedQuantity, issues } = commit;
  const issuedQuantity = expectedIssuedQuantity + issues.length;
  try {
    const committed = await prisma.$transaction(async (tx) => {
      const updated = await tx.$executeRaw`UPDATE ticket SET issued_quantity = ${issuedQuantity}, fencing_token = ${fencingToken}
        WHERE id = ${ticketId} AND issued_quantity = ${expectedIssuedQuantity} AND fencing_token <= ${fencingToken}`;
      if (updated === 0) throw new StaleCommit();
      if (issues.length === 0) return [];

      // Raw rather than createMany: the same single INSERT without createMany's cost of building
      // a large statement, which dominated a batch's commit.
      const issuedAt = new Date(commit.issuedAt ?? Date.now());
      const rows = issues.map(
        ({ requestId, memberId, issueNumber }) => Prisma.sql`(${ticketId}, ${memberId}, ${issueNumber}, ${requestId}, ${issuedAt})`,
      );
      await tx.$executeRaw`INSERT INTO member_ticket (ticket_id, member_id, issue_number, request_id, issued_at)
        VALUES ${Prisma.join(rows)}`;
      return tx.$queryRaw<Pick<MemberTicket, 'id' | 'memberId' | 'issueNumber'>[]>`
        SELECT id, member_id AS memberId, issue_number AS issueNumber FROM member_ticket
        WHERE ticket_id = ${ticketId} AND issue_number BETWEEN ${expectedIssuedQuantity + 1} AND ${issuedQuantity}
        ORDER BY issue_number`;
    }, TRANSACTION_OPTIONS);
    return { kind: 'COMMITTED', issues: committed };
  } catch (error) {
    if (error instanceof StaleCommit || isUniqueViolation(error)) return { kind: 'STALE' };
    throw error;
  }
}

/**
 * issued_quantity counts member_ticket rows only if each batch numbers its issues
 * expected+1, expected+2, … with no gap; the read-back's BETWEEN relies on it too.
 */
function assertNumberedFrom({ expectedIssuedQuantity, issues }: BatchCommit): void {
  issues.forEach((issue, index) => {
    if (issue.issueNumber !== expectedIssuedQuantity + index + 1) {
      throw new RangeError(`issue ${index} of the batch has number ${issue.issueNumber}, expected ${expectedIssuedQuantity + index + 1}`);
    }
  });
}
