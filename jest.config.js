// One Jest run for the whole monorepo. TypeScript is stripped by SWC (type checking is the
// build's job) and kept as ES modules, so Node runs the same module graph as in production.
// `common` is exported for the mutation runs (scripts/mutate), which must load tests the same way.
const swc = ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }];

export const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  // Stryker's sandboxes (npm run mutate) are copies of the repository: never tests or modules of this run.
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.stryker-tmp/'],
  moduleNameMapper: {
    '^@ticketing/([a-z]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

export default {
  rootDir: '.',
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/packages/core/test/**/*.test.ts', '<rootDir>/apps/web/test/**/*.test.ts'] },
    {
      ...common,
      displayName: 'adapters',
      testMatch: [
        '<rootDir>/packages/{db,queue,config}/test/**/*.test.ts',
        '<rootDir>/test/architecture/**/*.test.ts',
        '<rootDir>/test/integration/**/*.test.ts',
      ],
    },
    { ...common, displayName: 'api', testMatch: ['<rootDir>/apps/api/test/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.test.ts'] },
    // The pages in headless Chromium (Debian's, /usr/bin/chromium) against real API and worker processes.
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
  ],
};
