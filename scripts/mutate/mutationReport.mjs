import { equivalentMutants, killedSurvivors } from './survivors.mjs';

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/**
 * docs/MUTATION.md from the full run's Stryker runs (their JSON reports, in the
 * mutation-testing-report schema: paths relative to the repository, 1-based lines and columns,
 * each file's source) and the Lua mutants.
 */
export function mutationReport({ runs, lua, node }) {
  const mutants = runs.flatMap((run) =>
    Object.entries(run.report.files).flatMap(([file, { source, mutants }]) => mutants.map((mutant) => describe(file, source, mutant))),
  );
  const seconds = runs.map((run) => `${run.name} ${run.seconds} s`).join(', ');
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
    "  `drainQueue.ts`), and runs the tests of `scripts/mutate/scopes.mjs` that reach each mutant: the core's",
    "  unit tests (in-memory fakes) and the adapter tests on the real MariaDB and Redis. StrykerJS's",
    '  TypeScript checker sets aside the mutants that do not type-check: they are not run and count as',
    '  errors (CompileError), outside the score. It runs on TypeScript 5.9 (`typescript5`): TypeScript 7,',
    "  the build's compiler, has no JavaScript compiler API (`scripts/mutate/typescript5.mjs`).",
    '  One Stryker run per part (`core`, `adapters`), each with only its own tests. HTML reports:',
    '  `reports/mutation/<part>/index.html` (not committed).',
    '- **Lua mutants**: Stryker cannot mutate Lua, so `npm run mutate -- --lua` applies the named bugs of',
    '  `scripts/mutate/luaMutants.mjs` to `packages/queue/lua`, one at a time, runs the tests named for',
    '  each, and fails if one survives. The script is always put back, also on Ctrl-C.',
    '- **CI** (`.ci/run`) runs `npm run mutate -- --lua --guards`: the Lua mutants, and Stryker on',
    '  `decideBatch` and the commit guard, which must stay at 100 %.',
    '',
    `## Stryker (full run: ${seconds} on Node ${node}, one test runner)`,
    '',
    'Score = detected (killed, timeout) / (detected + survived + no coverage). Target: at least 85 % on these files, 100 % on',
    '`decideBatch.ts` and `commitBatch.ts`.',
    '',
    ...table(
      'package',
      group(mutants, (mutant) => mutant.file.split('/').slice(0, 2).join('/')),
    ),
    '',
    ...belowTarget(group(mutants, (mutant) => mutant.file.split('/').slice(0, 2).join('/'))),
    '',
    ...table(
      'file',
      group(mutants, (mutant) => mutant.file),
    ),
    '',
    '## Surviving mutants',
    '',
    alive.length === 0
      ? 'None.'
      : 'Each with why no test can catch it (an equivalent mutant), which test written after the run kills it now, or what is left to do.',
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

function describe(file, source, mutant) {
  return {
    file,
    line: mutant.location.start.line,
    mutator: mutant.mutatorName,
    status: mutant.status,
    original: slice(source, mutant.location),
    replacement: mutant.replacement ?? '',
  };
}

/** The source text of a report location (lines and columns from 1, the end column exclusive). */
function slice(source, { start, end }) {
  const lines = source.split('\n');
  const offset = (position) => lines.slice(0, position.line - 1).reduce((sum, line) => sum + line.length + 1, 0) + position.column - 1;
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

/** One line naming the packages under the 85 % target, so a failing figure is not missed. */
function belowTarget(groups) {
  const under = groups.flatMap(([key, mutants]) => {
    const detected = mutants.filter((mutant) => DETECTED.has(mutant.status)).length;
    const scored = detected + mutants.filter((mutant) => UNDETECTED.has(mutant.status)).length;
    const score = scored === 0 ? 100 : (100 * detected) / scored;
    return score < 85 ? [`\`${key}\` (${score.toFixed(2)} %)`] : [];
  });
  return [under.length === 0 ? 'Every package meets the 85 % target.' : `**Under the 85 % target:** ${under.join(', ')}.`];
}

function change(mutant) {
  return `${code(mutant.original)} → ${code(mutant.replacement)}`;
}

/** A Markdown code span on one line; one holding backticks (a template literal) gets a double fence. */
function code(text) {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine === '') return '(nothing)';
  return oneLine.includes('`') ? `\`\` ${oneLine} \`\`` : `\`${oneLine}\``;
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
