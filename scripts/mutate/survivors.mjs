/**
 * What docs/MUTATION.md says about surviving mutants. A survivor is matched by file, Stryker's
 * mutator name and a piece of its original text.
 * - equivalentMutants: survivors no test can catch, because the program behaves the same.
 * - killedSurvivors: survivors of earlier runs and the test that catches each now.
 */
export const equivalentMutants = [];

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
