import { parseArgs } from 'node:util';

export interface LoadOptions {
  members: number;
  quantity: number;
  concurrency: number;
  apis: string[];
  databaseUrl: string;
  json: boolean;
  /** Seconds to wait for every request to be decided before calling it a failure. */
  timeoutSeconds: number;
}

export const USAGE = `npm run load -- [options]

  --members N        members created, one request each (default 10000)
  --quantity Q       the ticket's totalQuantity (default 1000)
  --concurrency C    concurrent connections (default 256)
  --api URL[,URL]    API base URLs, requests spread round-robin (default http://127.0.0.1:3000)
  --database-url U   database to verify against (default DATABASE_URL or the local default)
  --timeout S        seconds to wait for every decision (default 120)
  --json             one JSON object on stdout instead of the table
  --help`;

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return number;
}

export function parseOptions(argv: string[]): LoadOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      members: { type: 'string' },
      quantity: { type: 'string' },
      concurrency: { type: 'string' },
      api: { type: 'string' },
      'database-url': { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const apis = (values.api ?? 'http://127.0.0.1:3000')
    .split(',')
    .map((url) => url.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  for (const api of apis) {
    const host = new URL(api).hostname;
    // A load generator is pointed at this machine only.
    if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) throw new Error(`--api ${api}: only loopback addresses are allowed`);
  }
  return {
    members: positive('members', values.members, 10_000),
    quantity: positive('quantity', values.quantity, 1000),
    concurrency: positive('concurrency', values.concurrency, 256),
    apis,
    databaseUrl: values['database-url'] ?? process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/ticketing',
    json: values.json,
    timeoutSeconds: positive('timeout', values.timeout, 120),
  };
}
