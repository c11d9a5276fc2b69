import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { MultiBar, Presets } from 'cli-progress';
import {
  checkDrop,
  createMembers,
  createTicket,
  entriesOf,
  HttpClient,
  pollAll,
  submitAll,
  TestDatabase,
  Tokens,
} from '@ticketing/testkit';
import { parseOptions, USAGE, type LoadOptions } from './options.js';
import { printTable, summarize, type LoadSummary } from './summary.js';

/** The development secret `npm start` keeps (scripts/devAuth.mjs), relative to the repository root. */
const DEV_SECRET_FILE = new URL('../../../.local/auth-secret', import.meta.url);

/**
 * Its members' and its admin's tokens, signed with the key the API verifies with: AUTH_JWT_SECRET,
 * or the development secret of `npm start`. (An API on AUTH_JWKS_URL takes only its IdP's tokens.)
 */
function tokens(env = process.env): Tokens {
  let secret = env.AUTH_JWT_SECRET;
  if (!secret) {
    try {
      secret = readFileSync(DEV_SECRET_FILE, 'utf8').trim();
    } catch {
      throw new Error(
        "no AUTH_JWT_SECRET and no development secret in .local/auth-secret: set AUTH_JWT_SECRET to the API's, or run npm start once",
      );
    }
  }
  return new Tokens(secret, { audience: env.AUTH_AUDIENCE || 'ticketing', issuer: env.AUTH_ISSUER || undefined });
}

async function run(options: LoadOptions): Promise<LoadSummary> {
  const client = new HttpClient(options.concurrency, 60_000, tokens());
  // Bars only for a person at a terminal; pipes and --json get the result alone.
  const bars =
    options.json || !process.stderr.isTTY
      ? null
      : new MultiBar({ clearOnComplete: false, hideCursor: true, format: ' {task} |{bar}| {value}/{total}' }, Presets.shades_grey);
  const tick = (task: string, total: number) => {
    const bar = bars?.create(total, 0, { task: task.padEnd(9) });
    return () => bar?.increment();
  };
  try {
    const runId = randomBytes(3).toString('hex');
    const onMember = tick('members', options.members);
    const memberIds = await createMembers(
      client,
      options.apis,
      `load-${runId}`,
      options.members,
      Math.min(options.concurrency, 128),
      onMember,
    );
    const ticketId = await createTicket(client, options.apis[0]!, `load-${runId}`, options.quantity);

    const startedAt = performance.now();
    const submissions = await submitAll(
      client,
      options.apis,
      ticketId,
      memberIds,
      1,
      options.concurrency,
      tick('submitted', options.members),
    );
    const lastAcceptedAtWall = Date.now() - (performance.now() - Math.max(...submissions.map((s) => s.receivedAt)));
    const accepted = submissions.filter((s) => s.requestId !== null).length;
    const finals = await pollAll(
      client,
      options.apis,
      submissions,
      options.concurrency,
      options.timeoutSeconds * 1000,
      tick('decided', accepted),
    );
    bars?.stop();

    const rows = await new TestDatabase(options.databaseUrl).issueRows(ticketId);
    const report = checkDrop({ totalQuantity: options.quantity, entries: entriesOf(submissions, finals), rows });
    return summarize({ options, ticketId, startedAt, submissions, finals, report, lastAcceptedAtWall });
  } finally {
    bars?.stop();
    client.close();
  }
}

try {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const summary = await run(options);
  if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else printTable(summary);
  process.exit(summary.violations.length === 0 ? 0 : 1);
} catch (error) {
  process.stderr.write(`load: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
