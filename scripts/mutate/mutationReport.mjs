import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { equivalentMutants, killedSurvivors } from './survivors.mjs';

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** docs/MUTATION.md from a full Stryker run and the Lua mutants. */
export function mutationReport({ stryker, lua, node }) {
  const mutants = stryker.results.map(describe);
  const alive = mutants.filter((mutant) => UNDETECTED.has(mutant.status));
  const lines = [
    '# Mutation testing',
    '',
    'Written by `npm run mutate` (the full run); edit `scripts/mutate/` instead. A test suite that',
    'stays green when the code is broken proves nothing: mutation testing breaks the code on purpose,',
    'one small change (a *mutant*) at a time, and counts the changes some test catches.',
    '',
    '- **StrykerJS** mutates the TypeScript of `packages/core/src`, the guarded commit',
    '  (`packages/db/src/commitBatch.ts`) and the lock and queue commit code (`packages/queue/src/ticketLock.ts`,',
    '  `drainQueue.ts`), and runs the unit, adapter (real MariaDB and Redis) and drain integration tests',
    '  that reach each mutant. HTML report: `reports/mutation/full/index.html` (not committed).',
    '- **Lua mutants**: Stryker cannot mutate Lua, so `npm run mutate -- --lua` applies the named bugs of',
    '  `scripts/mutate/luaMutants.mjs` to `packages/queue/lua`, one at a time, runs the tests named for',
    '  each, and fails if one survives. The script is always put back, also on Ctrl-C.',
    '- **CI** (`.ci/run`) runs `npm run mutate -- --lua --guards`: the Lua mutants, and Stryker on',
    '  `decideBatch` and the commit guard, which must stay at 100 %.',
    '',
    `## Stryker (full run: ${stryker.seconds} s on Node ${node}, one test runner)`,
    '',
    `Score = detected / (detected + undetected). Target: at least ${stryker.breakBelow} % on these files, 100 % on`,
    '`decideBatch.ts` and `commitBatch.ts`.',
    '',
    ...table(
      'package',
      group(mutants, (mutant) => mutant.file.split('/').slice(0, 2).join('/')),
    ),
    '',
    ...table(
      'file',
      group(mutants, (mutant) => mutant.file),
    ),
    '',
    '## Surviving mutants',
    '',
    alive.length === 0 ? 'None.' : 'Each with why no test can catch it (an equivalent mutant) or what is left to do.',
    '',
    ...alive.map((mutant) => `- \`${mutant.file}:${mutant.line}\` ${mutant.mutator}: ${change(mutant)}. ${explain(mutant)}`),
    '',
    '## Survivors of earlier runs, killed since',
    '',
    ...killedSurvivors.map(
      (entry) => `- \`${entry.file}\` ${entry.mutator}: \`${entry.original}\` → \`${entry.replacement}\`. Killed by ${entry.killedBy}.`,
    ),
    '',
    ...luaSection(lua),
  ];
  return `${lines.join('\n')}\n`;
}

function describe(result) {
  const file = relative(process.cwd(), result.fileName);
  const source = readFileSync(result.fileName, 'utf8');
  return {
    file,
    line: result.location.start.line,
    mutator: result.mutatorName,
    status: result.status,
    original: slice(source, result.location),
    replacement: result.replacement ?? '',
  };
}

/** The source text of a Stryker location (lines from 1, columns from 0). */
function slice(source, { start, end }) {
  const lines = source.split('\n');
  const offset = (position) => lines.slice(0, position.line - 1).reduce((sum, line) => sum + line.length + 1, 0) + position.column;
  return source.slice(offset(start), offset(end));
}

function group(mutants, keyOf) {
  const groups = new Map();
  for (const mutant of mutants) groups.set(keyOf(mutant), [...(groups.get(keyOf(mutant)) ?? []), mutant]);
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

function table(title, groups) {
  const rows = groups.map(([key, mutants]) => {
    const count = (statuses) => mutants.filter((mutant) => statuses.has(mutant.status)).length;
    const killed = count(new Set(['Killed']));
    const timeout = count(new Set(['Timeout']));
    const survived = count(new Set(['Survived']));
    const noCoverage = count(new Set(['NoCoverage']));
    const errors = mutants.length - killed - timeout - survived - noCoverage;
    const scored = count(DETECTED) + count(UNDETECTED);
    const score = scored === 0 ? 'n/a' : `${((100 * count(DETECTED)) / scored).toFixed(2)} %`;
    return `| \`${key}\` | ${score} | ${killed} | ${timeout} | ${survived} | ${noCoverage} | ${errors} |`;
  });
  return [`| ${title} | score | killed | timeout | survived | no coverage | errors |`, '|---|---:|---:|---:|---:|---:|---:|', ...rows];
}

function change(mutant) {
  const oneLine = (text) => text.replace(/\s+/g, ' ').trim();
  return `\`${oneLine(mutant.original)}\` → \`${oneLine(mutant.replacement)}\``;
}

function explain(mutant) {
  const entry = equivalentMutants.find(
    (known) => known.file === mutant.file && known.mutator === mutant.mutator && mutant.original.includes(known.original),
  );
  return entry ? entry.why : '**Not explained yet**: a test should catch it.';
}

function luaSection(lua) {
  if (lua === null) return [];
  const killed = lua.filter((mutant) => mutant.status === 'KILLED').length;
  return [
    `## Lua mutants (${killed} of ${lua.length} killed)`,
    '',
    '| mutant | script | caught by (test file: names) | result |',
    '|---|---|---|---|',
    ...lua.map(
      (mutant) =>
        `| ${mutant.name} | \`${mutant.script}\` | \`${mutant.tests.file.split('/').pop()}\`: ${mutant.tests.names.replaceAll('|', ' / ')} | ${mutant.status} |`,
    ),
  ];
}
