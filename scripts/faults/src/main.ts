import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { prepareInfra } from './infra.js';
import { PrivateMariadb } from '@ticketing/testkit';
import { faultsMarkdown, summaryTable } from './report.js';
import { SCENARIOS } from './scenarios/index.js';
import type { ScenarioReport } from './scenarios/stage.js';

const USAGE = `npm run faults [-- options]

Runs every fault scenario against real processes (2 API, 3 workers, a private Redis and a
private MariaDB, never the shared ones), prints a table and writes docs/FAULTS.md.

  --only <ids>        comma-separated scenario ids (${SCENARIOS.map((s) => s.id).join(', ')})
  --members <n>       members per drop (default 2000)
  --quantity <n>      ticket quantity (default 1500)
  --out <file>        where to write the report (default docs/FAULTS.md; "-" for none)
  --json              print the reports as JSON instead of the table
  --help`;

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    members: { type: 'string', default: '2000' },
    quantity: { type: 'string', default: '1500' },
    out: { type: 'string', default: fileURLToPath(new URL('../../../docs/FAULTS.md', import.meta.url)) },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const members = Number(values.members);
const quantity = Number(values.quantity);
const wanted = values.only?.split(',').map((id) => id.trim()) ?? SCENARIOS.map((s) => s.id);
const unknown = wanted.filter((id) => !SCENARIOS.some((s) => s.id === id));
if (unknown.length > 0 || !(members > 0) || !(quantity > 0)) {
  process.stderr.write(
    `faults: ${unknown.length > 0 ? `unknown scenario ${unknown.join(', ')}` : 'bad --members or --quantity'}\n\n${USAGE}\n`,
  );
  process.exit(2);
}

const log = (line: string) => process.stderr.write(`[faults] ${line}\n`);
const reports: ScenarioReport[] = [];
// One private MariaDB for the whole run (a fresh database per scenario); a fresh private Redis per scenario.
const mariadb = await PrivateMariadb.start();
try {
  for (const entry of SCENARIOS.filter((s) => wanted.includes(s.id))) {
    log(`${entry.id}: starting`);
    const prepared = await prepareInfra({ redis: entry.redis, mariadb });
    try {
      reports.push(await entry.run(prepared.infra, { members, quantity, log: (line) => log(`${entry.id}: ${line}`) }));
    } finally {
      await prepared.close();
    }
  }
} finally {
  await mariadb.destroy();
}

if (values.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
else process.stdout.write(`\n${summaryTable(reports)}\n`);
for (const report of reports.filter((r) => r.violations.length > 0)) {
  process.stderr.write(`\n${report.scenario}:\n${report.violations.map((v) => `  - ${v.slice(0, 500)}`).join('\n')}\n`);
}
if (values.out !== '-') {
  await writeFile(values.out, faultsMarkdown(reports, SCENARIOS, { members, quantity }));
  log(`wrote ${values.out}`);
}
process.exit(reports.every((r) => r.violations.length === 0) ? 0 : 1);
