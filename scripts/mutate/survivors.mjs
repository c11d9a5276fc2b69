/**
 * What docs/MUTATION.md says about surviving mutants. A survivor is matched by file, Stryker's
 * mutator name and a piece of its original text.
 * - equivalentMutants: what the report says of a survivor of the last full run: why no test can
 *   catch it (the program behaves the same), or which test, written after the run, kills it now.
 * - killedSurvivors: survivors of earlier runs and the test that catches each now.
 */
export const equivalentMutants = [
  {
    file: 'packages/queue/src/drainQueue.ts',
    mutator: 'ConditionalExpression',
    original: 'releasedMemberId === undefined',
    why: "Equivalent in effect: without a released member the script is told to HDEL the field 'undefined' from the members hash, where member ids are digits only.",
  },
  {
    file: 'packages/queue/src/drainQueue.ts',
    mutator: 'StringLiteral',
    original: "''",
    why: "Equivalent in effect: the script HDELs a field named 'Stryker was here!', which no member id can be.",
  },
  ...['ConditionalExpression', 'EqualityOperator'].map((mutator) => ({
    file: 'packages/queue/src/drainQueue.ts',
    mutator,
    original: 'results.length > 0',
    why: 'Equivalent in effect: only an empty batch takes the other branch (a pace sample of no decisions; an empty decision message, which wakes no watcher, and a progress message that changes no count), and the worker never completes an empty batch: drainTicket polls again on an empty peek.',
  })),
  {
    file: 'packages/queue/src/drainQueue.ts',
    mutator: 'StringLiteral',
    original: "'-inf'",
    why: 'Equivalent in effect: Redis reads an empty bound of ZRANGEBYSCORE as 0, and removal times are epoch milliseconds, never below 0.',
  },
  {
    file: 'packages/core/src/ports/runtime.ts',
    mutator: 'BooleanLiteral',
    original: 'true',
    why: 'Equivalent: done() removes its own abort listener, and a signal aborts once, so `once` changes nothing.',
  },
  {
    file: 'packages/core/src/ports/runtime.ts',
    mutator: 'ObjectLiteral',
    original: '{ once: true }',
    why: 'Equivalent: done() removes its own abort listener, and a signal aborts once, so `once` changes nothing.',
  },
  ...['ConditionalExpression', 'EqualityOperator'].map((mutator) => ({
    file: 'packages/core/src/support/turnBatches.ts',
    mutator,
    original: 'waiters.length <= this.maxBatch',
    why: 'Equivalent: when the calls fit in one batch, slice(0, maxBatch) holds the same calls in the same order; the condition only spares the copy.',
  })),
  {
    file: 'packages/core/src/support/withinDeadline.ts',
    mutator: 'CallExpression',
    original: 'running.catch(() => undefined)',
    why: 'Equivalent: Promise.race subscribes to the work at once, so a failure after the deadline is handled already; the catch states the intent.',
  },
  {
    file: 'packages/core/src/application/drainTicket.ts',
    mutator: 'ConditionalExpression',
    original: 'missing.size === 0',
    why: 'Equivalent: filtering by an empty set of missing members keeps every request, in order; the condition only spares the copy.',
  },
  {
    file: 'packages/core/src/application/drainTicket.ts',
    mutator: 'ConditionalExpression',
    original: "ticket.kind === 'UNREAD'",
    why: 'Equivalent: the guard cannot be reached. Every turn reads the ticket before it peeks, so a holder that finds its queue empty and retires always knows the ticket (FOUND or NOT_FOUND).',
  },
  {
    file: 'packages/core/src/application/lease.ts',
    mutator: 'ConditionalExpression',
    original: 'ended.aborted',
    why: 'Equivalent: when end() comes during a renewal, the next sleep returns at once on the aborted signal and the check after it ends the loop, before any further renewal.',
  },

  ...['ConditionalExpression', 'LogicalOperator', 'EqualityOperator', 'BooleanLiteral'].map((mutator) => ({
    file: 'packages/core/src/application/issueRequests.ts',
    mutator,
    original: "stored.kind === 'FOUND'",
    why: 'No coverage in this run; killed since by packages/core/test/submitIssueRequest.test.ts "a poll while the database cannot tell whose id it is" (three tests, written after the run; each of the six mutants applied by hand fails one).',
  })),
  {
    file: 'packages/core/src/application/issueRequests.ts',
    mutator: 'BooleanLiteral',
    original: 'true',
    why: 'No coverage in this run; killed since by packages/core/test/submitIssueRequest.test.ts "a request the queue holds is answered as it stands (the seal is taken as the queue’s)" (written after the run; the mutant applied by hand fails it).',
  },
  {
    file: 'packages/core/src/application/issueRequests.ts',
    mutator: 'ConditionalExpression',
    original: 'error instanceof StoreUnavailableError',
    why: 'Not equivalent; killed since this run by packages/core/test/submitIssueRequest.test.ts "whose earlier request cannot be read for a reason other than the database being away: …" (written after the run; the mutant applied by hand fails it).',
  },
  {
    file: 'packages/core/src/domain/ticket.ts',
    mutator: 'MethodExpression',
    original: 'generation.slice(0, 8)',
    why: 'No coverage in this run; killed since by packages/core/test/ticket.test.ts "names a row’s queue by its id and the first 8 hex of its generation (the epoch)" (written after the run; the mutant applied by hand fails it).',
  },
];

export const killedSurvivors = [
  {
    file: 'packages/db/src/commitBatch.ts',
    mutator: 'ConditionalExpression (hand-made, issue 16)',
    original: 'AND issued_quantity = <expectedIssuedQuantity>',
    replacement: '(condition removed)',
    killedBy:
      'packages/db/test/ticketStore.test.ts "STALE, and nothing written when the expected count is wrong even though no row of the batch clashes with a committed one"',
  },
  {
    file: 'packages/core/src/application/drainTicket.ts',
    mutator: 'hand-made, issue 16',
    original: "if (commit.kind === 'STALE') return { kind: 'STALE' }",
    replacement: 'a STALE batch completed anyway',
    killedBy:
      'packages/core/test/drainTicket.test.ts "a stale commit while the lock is still held: nothing completed, the batch stays queued, the ticket is read again"',
  },
  {
    file: 'packages/db/src/commitBatch.ts',
    mutator: 'ArithmeticOperator',
    original: 'BETWEEN <expectedIssuedQuantity + 1>',
    replacement: 'BETWEEN <expectedIssuedQuantity - 1>',
    killedBy: 'packages/db/test/ticketStore.test.ts "the same holder commits batch after batch; …" (each commit answers its own rows only)',
  },
  {
    file: 'packages/db/src/commitBatch.ts',
    mutator: 'StringLiteral, ArithmeticOperator (3 mutants)',
    original: 'expected <expectedIssuedQuantity + index + 1> (the RangeError message)',
    replacement: 'an empty message, + index - 1, - index + 1',
    killedBy:
      'packages/db/test/ticketStore.test.ts "refuses, before touching the database, issue numbers that do not follow the expected count" (checks the message)',
  },
  {
    file: 'packages/queue/src/drainQueue.ts',
    mutator: 'ConditionalExpression',
    original: "outcome.status === 'FAILED'",
    replacement: 'true (every outcome handed to the script as failed, with its reason)',
    killedBy:
      'packages/queue/test/issueQueue.test.ts "REJECTED outcomes are completed jobs, like ISSUED ones: only FAILED goes to the failed set"',
  },
  {
    file: 'packages/queue/src/drainQueue.ts',
    mutator: 'StringLiteral',
    original: "results.map(…).join(' ') (the decision message)",
    replacement: "join('')",
    killedBy:
      'packages/queue/test/issueQueue.test.ts "one batch wakes the watcher of each of its requests, not only of a batch’s only one"',
  },
  {
    file: 'packages/queue/src/drainQueue.ts',
    mutator: 'MethodExpression, ConditionalExpression, LogicalOperator, EqualityOperator (5 mutants)',
    original: 'members.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0)',
    replacement: '(the filter weakened or removed)',
    killedBy:
      'no test: the code is gone from drainQueue.ts (activeTickets() now parses each entry with parseActiveEntry of keys.ts, outside the mutated files)',
  },
];
