import type { BatchCommit, CommitResult } from '@ticketing/core';
import { commitIssues } from './commitBatch.js';
import type { PrismaClient } from './generated/prisma/client.js';

/**
 * commitBatch without its guard: the ticket row is overwritten whatever its issued_quantity and
 * fencing token, as a naive worker would. For fault tests that show what the guard prevents;
 * never exported from the package index. The UNIQUE constraints still apply (a violation rolls
 * back and answers STALE), so a stale holder's overlapping rows are still refused by them.
 */
export function commitBatchUnguarded(prisma: PrismaClient, commit: BatchCommit): Promise<CommitResult> {
  return commitIssues(prisma, commit, 'UNGUARDED');
}
