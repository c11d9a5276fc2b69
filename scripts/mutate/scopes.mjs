/**
 * What each Stryker run mutates and which tests may kill its mutants. Only the named files are
 * mutated: the guarantees live there, and a run over everything would not fit CI's few minutes.
 */
export const scopes = {
  // The quick part CI runs: the decision and the guarded commit, both held to 100 %.
  guards: {
    mutate: ['packages/core/src/domain/decideBatch.ts', 'packages/db/src/commitBatch.ts'],
    tests: ['packages/core/test/decideBatch.test.ts', 'packages/db/test/ticketStore.test.ts'],
    breakBelow: 100,
  },
  // npm run mutate: the core, and the commit and lock code of the adapters. The core's tests run
  // on in-memory fakes; test/integration/drain.test.ts (seconds per run, reaching every drain
  // mutant) would make the run several times longer for the few mutants only it could see.
  full: {
    mutate: [
      'packages/core/src/**/*.ts',
      '!packages/core/src/**/index.ts',
      'packages/db/src/commitBatch.ts',
      'packages/queue/src/ticketLock.ts',
      'packages/queue/src/drainQueue.ts',
    ],
    tests: [
      'packages/core/test/**/*.test.ts',
      'packages/db/test/ticketStore.test.ts',
      'packages/queue/test/ticketLock.test.ts',
      'packages/queue/test/issueQueue.test.ts',
    ],
    breakBelow: 85,
  },
};
