import { describe, expect, test } from '@jest/globals';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cruise, type IViolation } from 'dependency-cruiser';

const require = createRequire(import.meta.url);
const { forbidden, options } = require('../../.dependency-cruiser.cjs');
const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

async function violations(baseDir: string, paths: string[]): Promise<IViolation[]> {
  const result = await cruise(paths, { ...options, baseDir, validate: true, ruleSet: { forbidden } });
  if (typeof result.output === 'string') throw new Error('unexpected string output');
  return result.output.summary.violations;
}

describe('architecture', () => {
  test('core imports no adapter, framework or driver; packages never import apps, scripts or tests; no cycles', async () => {
    const found = await violations(root, ['apps', 'packages', 'scripts', 'test']);
    expect(found.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  }, 60_000);

  test('the rules bite: a core file importing ioredis, a package importing a script and a script importing an app are reported', async () => {
    const found = await violations(fileURLToPath(new URL('./fixtures', import.meta.url)), ['packages', 'scripts']);
    expect(found.map((v) => v.rule.name).sort()).toEqual([
      'core-is-pure',
      'packages-never-import-scripts-or-tests',
      'scripts-use-packages-only',
    ]);
  }, 60_000);
});
