// StrykerJS's TypeScript checker, and Stryker's own rewriting of the tsconfig it is given, drive
// TypeScript's JavaScript compiler API (createProgram, parseConfigFileTextToJson, ...), which
// TypeScript 7, the repository's compiler, no longer ships as a module. Stryker gets TypeScript 5
// (the `typescript5` alias, npm:typescript@5.9.3) instead: an `import ts from 'typescript'` of a
// @stryker-mutator package is resolved to `typescript5`; every other import of `typescript` is
// left alone. Imported by main.mjs before Stryker, and with --import in the checker processes.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'typescript' && context.parentURL?.includes('/node_modules/@stryker-mutator/')) {
      return nextResolve('typescript5', context);
    }
    return nextResolve(specifier, context);
  },
});
