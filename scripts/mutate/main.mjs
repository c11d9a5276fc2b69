// npm run mutate [-- --lua] [-- --guards]: mutation testing (docs/MUTATION.md says what and why).
//   (no option)  the full Stryker run and the Lua mutants; writes docs/MUTATION.md
//   --lua        only the Lua mutants of packages/queue/lua
//   --guards     only Stryker on decideBatch and the guarded commit, which must score 100 %
//   --report     writes docs/MUTATION.md again from the last full run's reports (after a survivor
//                was explained in survivors.mjs), without running anything
// Options combine (CI runs `-- --lua --guards`). The exit status is non-zero when a Lua mutant
// survives or a Stryker score is under its scope's threshold.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { runLuaMutants } from './runLuaMutants.mjs';
import { scopes } from './scopes.mjs';
import { strykerNode } from './strykerNode.mjs';
import { mutationReport } from './mutationReport.mjs';

const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((arg) => arg !== '--lua' && arg !== '--guards' && arg !== '--report');
if (unknown.length > 0 || (args.has('--report') && args.size > 1)) {
  console.error(`unknown option ${unknown.join(' ')}; use --lua and/or --guards, --report alone, or nothing for the full run`);
  process.exit(2);
}
/** What the full run keeps besides Stryker's reports, so --report can write the summary again. */
const FULL_RUN = 'reports/mutation/full-run.json';
if (args.has('--report')) {
  const { lua, seconds, node } = JSON.parse(readFileSync(FULL_RUN, 'utf8'));
  const runs = ['core', 'adapters'].map((name) => ({
    name,
    report: JSON.parse(readFileSync(`reports/mutation/${name}/mutation.json`, 'utf8')),
    seconds: seconds[name],
  }));
  writeFileSync('docs/MUTATION.md', mutationReport({ runs, lua, node }));
  console.log(`wrote docs/MUTATION.md from the full run of ${FULL_RUN}`);
  process.exit(0);
}
const full = args.size === 0;
const wantsStryker = full || args.has('--guards');

// StrykerJS 10 needs Node 22 or later; on an older Node the whole command runs again on Node 24.
const node = wantsStryker ? strykerNode() : process.execPath;
if (node !== process.execPath) {
  const again = spawnSync(node, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, PATH: pathWith(node) } });
  process.exit(again.status ?? 1);
}

let failed = false;
const startedAt = Date.now();
let lua = null;
if (full || args.has('--lua')) {
  console.log('=== Lua mutants');
  lua = await runLuaMutants();
  const alive = lua.filter((mutant) => mutant.status !== 'KILLED');
  console.log(`Lua mutants: ${lua.length - alive.length} of ${lua.length} killed`);
  if (alive.length > 0) failed = true;
}

const stryker = {};
for (const name of full ? ['core', 'adapters'] : args.has('--guards') ? ['guards'] : []) {
  console.log(`=== Stryker: ${name}`);
  // Imported here: loading Stryker on Node 20 fails, and --lua alone does not need it. Stryker's
  // TypeScript comes from typescript5.mjs, registered before Stryker is loaded.
  await import('./typescript5.mjs');
  const { Stryker } = await import('@stryker-mutator/core');
  const { strykerOptions } = await import('./strykerOptions.mjs');
  const scope = scopes[name];
  const runStartedAt = Date.now();
  const reportDir = `reports/mutation/${name}`;
  await new Stryker(strykerOptions(scope, { reportDir })).runMutationTest();
  const report = JSON.parse(readFileSync(`${reportDir}/mutation.json`, 'utf8'));
  stryker[name] = { name, report, seconds: Math.round((Date.now() - runStartedAt) / 1000), breakBelow: scope.breakBelow };
  // Stryker sets the exit code itself when the score is under thresholds.break.
  if (process.exitCode) failed = true;
}

if (full) {
  const seconds = { core: stryker.core.seconds, adapters: stryker.adapters.seconds };
  writeFileSync(FULL_RUN, `${JSON.stringify({ lua, seconds, node: process.version }, null, 2)}\n`);
  writeFileSync('docs/MUTATION.md', mutationReport({ runs: [stryker.core, stryker.adapters], lua, node: process.version }));
  console.log('wrote docs/MUTATION.md; HTML reports: reports/mutation/core/index.html, reports/mutation/adapters/index.html');
}
console.log(`mutation testing took ${Math.round((Date.now() - startedAt) / 1000)} s`);
process.exit(failed ? 1 : 0);

function pathWith(nodePath) {
  return `${nodePath.slice(0, nodePath.lastIndexOf('/'))}:${process.env.PATH ?? ''}`;
}
