import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { luaMutants } from './luaMutants.mjs';

const LUA_DIR = 'packages/queue/lua';
const JEST = ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js'];

/**
 * Applies each Lua mutant in turn, runs the tests named for it, and puts the script back.
 * The tests read the .lua files from the source tree (scripts.ts), so no build is needed. The
 * original is written back in a finally block and, should the run be interrupted (Ctrl-C,
 * SIGTERM), by the signal handler before exiting: no mutated script is ever left behind.
 * Returns one { name, status } per mutant: KILLED, SURVIVED, or INVALID (its text is not in the script).
 */
export async function runLuaMutants({ log = console.log } = {}) {
  await checkBaseline(log);
  const results = [];
  for (const mutant of luaMutants) {
    const path = `${LUA_DIR}/${mutant.script}`;
    const original = readFileSync(path, 'utf8');
    if (original.split(mutant.from).length !== 2) {
      results.push({ ...mutant, status: 'INVALID', seconds: 0 });
      log(`INVALID   ${mutant.name}: its text is not in ${path} exactly once`);
      continue;
    }
    const startedAt = Date.now();
    const restore = () => writeFileSync(path, original);
    const onSignal = (signal) => {
      restore();
      running?.kill('SIGKILL');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.once('exit', restore);
    try {
      writeFileSync(path, original.replace(mutant.from, mutant.to));
      const run = await jest([mutant.tests.file], mutant.tests.names);
      if (run.passed + run.failed === 0) throw new Error(`no test of ${mutant.tests.file} matches "${mutant.tests.names}"`);
      const status = run.failed > 0 ? 'KILLED' : 'SURVIVED';
      results.push({ ...mutant, status, seconds: (Date.now() - startedAt) / 1000 });
      log(`${status.padEnd(9)} ${mutant.name} (${mutant.script}; ${run.failed} of ${run.passed + run.failed} tests failed)`);
    } finally {
      restore();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('exit', restore);
    }
  }
  return results;
}

/** The named tests must pass on the real scripts, or every mutant would look killed. */
async function checkBaseline(log) {
  const files = [...new Set(luaMutants.map((mutant) => mutant.tests.file))];
  const run = await jest(files);
  if (run.failed > 0 || run.passed === 0) {
    throw new Error(`the tests the Lua mutants rely on do not pass unmutated (${run.passed} passed, ${run.failed} failed):\n${run.output}`);
  }
  log(`baseline: ${run.passed} tests of ${files.join(', ')} pass on the unmutated scripts`);
}

/** The Jest process of the mutant under test, stopped with the run on a signal. */
let running = null;

/** Runs Jest on the given files (and test names); counts from the summary line of test/support/summary-reporter.js. */
function jest(files, names) {
  const args = [...JEST, ...files, ...(names ? ['-t', names] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      running = null;
      const summary = /^(\d+) passed, (\d+) failed/m.exec(output);
      if (!summary) return reject(new Error(`Jest ended (exit ${code}) without its summary line:\n${output}`));
      resolve({ passed: Number(summary[1]), failed: Number(summary[2]), code, output });
    });
  });
}
