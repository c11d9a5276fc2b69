/**
 * What each Stryker run mutates and which tests may kill its mutants. Only the named files are
 * mutated: the guarantees live there. Each scope names only the tests meant to hold its code:
 * the adapter tests import the core too, and with them every core mutant would also run them,
 * with their database and Redis set-up (a full run in one scope did not end within an hour).
 * typeCheck: whether Stryker's TypeScript checker sorts out the mutants that do not compile.
 */
export const scopes = {
  // The quick part CI runs: the decision and the guarded commit, both held to 100 %.
  guards: {
    mutate: ['packages/core/src/domain/decideBatch.ts', 'packages/db/src/commitBatch.ts'],
    tests: ['packages/core/test/decideBatch.test.ts', 'packages/db/test/ticketStore.test.ts'],
    breakBelow: 100,
    // CI's quick part: no TypeScript checker (it would add its own start-up to every CI run).
    typeCheck: false,
  },
  // npm run mutate, part 1: the core, held by its unit tests on in-memory fakes.
  core: {
    mutate: ['packages/core/src/**/*.ts', '!packages/core/src/**/index.ts'],
    tests: ['packages/core/test/**/*.test.ts'],
    breakBelow: 85,
    typeCheck: true,
  },
  // npm run mutate, part 2: the adapters' commit and lock code, held by the adapter tests on the
  // real MariaDB and Redis.
  adapters: {
    mutate: ['packages/db/src/commitBatch.ts', 'packages/queue/src/ticketLock.ts', 'packages/queue/src/drainQueue.ts'],
    tests: ['packages/db/test/ticketStore.test.ts', 'packages/queue/test/ticketLock.test.ts', 'packages/queue/test/issueQueue.test.ts'],
    breakBelow: 85,
    typeCheck: true,
  },
};
