/**
 * What docs/MUTATION.md says about surviving mutants. A survivor is matched by file, Stryker's
 * mutator name and a piece of its original text.
 * - equivalentMutants: survivors no test can catch, because the program behaves the same.
 * - killedSurvivors: survivors of earlier runs and the test that catches each now.
 */
export const equivalentMutants = [
  {
    file: 'packages/queue/src/drainQueue.ts',
    mutator: 'MethodExpression',
    original: 'members.map(Number).filter(',
    why: 'Not equivalent; left to do: no test puts a malformed member (text, 0) in the active-tickets set, which only this filter keeps from the workers.',
  },
  ...['ConditionalExpression', 'LogicalOperator', 'EqualityOperator'].map((mutator) => ({
    file: 'packages/queue/src/drainQueue.ts',
    mutator,
    original: 'id > 0',
    why: 'Not equivalent; left to do: no test puts a malformed member (text, 0, a fraction) in the active-tickets set.',
  })),
  {
    file: 'packages/queue/src/drainQueue.ts',
    mutator: 'ConditionalExpression',
    original: 'Number.isSafeInteger(id) && id > 0',
    why: 'Not equivalent; left to do: no test puts a malformed member in the active-tickets set.',
  },
  {
    file: 'packages/queue/src/drainQueue.ts',
    mutator: 'ConditionalExpression',
    original: "outcome.status === 'FAILED'",
    why: "Not equivalent; left to do: no adapter test completes a REJECTED outcome, which must land in BullMQ's completed set, not in failed with its reason.",
  },
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
    why: 'Equivalent in effect: an empty batch would publish an empty message, which wakes no watcher (the worker never completes an empty batch anyway).',
  })),
  {
    file: 'packages/queue/src/drainQueue.ts',
    mutator: 'StringLiteral',
    original: "' '",
    why: 'Not equivalent; left to do: the watcher test completes one request per batch, so ids run together without a separator go unnoticed; a batch of two with a watcher on the second would catch it.',
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
];
