/** The layering of ARCHITECTURE.md, checked by test/architecture and `npm run depcheck`. */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'The domain and its use cases import no adapter, framework, driver or other workspace.',
      severity: 'error',
      from: { path: '^packages/core/' },
      to: {
        path: ['^packages/(db|queue|config)/', '^apps/', 'node_modules/(express|@prisma|prisma|bullmq|ioredis|mariadb|pino|zod)/'],
      },
    },
    {
      name: 'testkit-stays-out-of-production',
      comment: 'The load client and guarantee checks are for tests, the load script and benchmarks only.',
      severity: 'error',
      from: { path: '^(apps|packages/(core|db|queue|config))/' },
      to: { path: '^packages/testkit/' },
    },
    {
      name: 'packages-never-import-apps',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'adapters-stay-apart',
      comment: 'The database and queue adapters know core, not each other.',
      severity: 'error',
      from: { path: '^packages/(db|queue)/' },
      to: { path: '^packages/(db|queue)/', pathNot: '^packages/$1/' },
    },
    {
      name: 'packages-never-import-scripts-or-tests',
      comment: 'Libraries (testkit included) are what scripts and tests build on, never the other way round.',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/' },
      to: { path: ['^scripts/', '^test/', '^(apps|packages)/[^/]+/test/'] },
    },
    {
      name: 'apps-never-import-scripts-or-tests',
      severity: 'error',
      from: { path: '^apps/[^/]+/src/' },
      to: { path: ['^scripts/', '^test/', '^(apps|packages)/[^/]+/test/'] },
    },
    {
      name: 'scripts-use-packages-only',
      comment:
        'The load, fault, bench and cluster tools use the packages; they start the apps as processes, never import them or the tests.',
      severity: 'error',
      from: { path: '^scripts/' },
      to: { path: ['^apps/', '^test/', '^(apps|packages)/[^/]+/test/'] },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)(dist|generated)/', '^test/architecture/fixtures/'] },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'default'],
      extensions: ['.ts', '.js'],
      extensionAlias: { '.js': ['.ts', '.js'] },
    },
  },
};
