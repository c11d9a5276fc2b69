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
  test('core imports no adapter, framework or driver; packages never import apps; no cycles', async () => {
    const found = await violations(root, ['apps', 'packages']);
    expect(found.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  }, 60_000);

  test('the rule bites: a core file importing ioredis is reported', async () => {
    const found = await violations(fileURLToPath(new URL('./fixtures', import.meta.url)), ['packages']);
    expect(found.map((v) => v.rule.name)).toContain('core-is-pure');
  }, 60_000);
});
