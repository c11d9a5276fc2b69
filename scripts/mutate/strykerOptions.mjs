import { fileURLToPath } from 'node:url';

/** Stryker's options for one scope of scripts/mutate/scopes.mjs. */
export function strykerOptions(scope, { reportDir }) {
  return {
    mutate: scope.mutate,
    testRunner: 'jest',
    plugins: ['@stryker-mutator/jest-runner', ...(scope.typeCheck ? ['@stryker-mutator/typescript-checker'] : [])],
    // A mutant that does not type-check is a CompileError, not run: SWC would strip its types and
    // run it, and a mutant no TypeScript program can contain would count as a survivor. The
    // checker runs on TypeScript 5 (typescript5.mjs says why) over the mutated packages' sources.
    ...(scope.typeCheck
      ? {
          checkers: ['typescript'],
          tsconfigFile: 'scripts/mutate/tsconfig.checker.json',
          checkerNodeArgs: ['--import', fileURLToPath(new URL('./typescript5.mjs', import.meta.url))],
          typescriptChecker: { prioritizePerformanceOverAccuracy: true },
        }
      : {}),
    // The tests are ES modules: Jest needs Node's VM modules, in Stryker's test-runner processes too.
    testRunnerNodeArgs: ['--experimental-vm-modules'],
    jest: {
      projectType: 'custom',
      configFile: 'scripts/mutate/jest.config.js',
      config: { testMatch: scope.tests.map((path) => `<rootDir>/${path}`) },
      enableFindRelatedTests: false,
    },
    // Each mutant runs only the tests that reached it in the first, instrumented run.
    coverageAnalysis: 'perTest',
    // Two cores shared with other work: one test runner at a time.
    concurrency: 1,
    // A mutant that loops is cut off 10 s past its tests' usual time: every timeout also costs a
    // runner restart, and 20 s made a third of the full run's time go to timeouts.
    timeoutMS: 10_000,
    thresholds: { high: 95, low: 85, break: scope.breakBelow },
    reporters: ['html', 'json', 'clear-text', 'progress'],
    htmlReporter: { fileName: `${reportDir}/index.html` },
    jsonReporter: { fileName: `${reportDir}/mutation.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    tempDirName: '.stryker-tmp',
    // The sandbox gets the sources, tests, Lua scripts and the generated Prisma client; not builds or reports.
    ignorePatterns: ['dist', '.turbo', 'bench', 'reports', 'docs', '.local', 'coverage', 'docker', 'apps', '*.cpuprofile'],
    cleanTempDir: 'always',
  };
}
