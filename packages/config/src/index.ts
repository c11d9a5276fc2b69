import { z } from 'zod';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const redisNodes = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const nodes = value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => {
        const match = /^([^:\s]+):(\d{1,5})$/.exec(entry);
        if (!match) ctx.addIssue({ code: 'custom', message: `"${entry}" is not host:port` });
        return { host: match?.[1] ?? '', port: Number(match?.[2] ?? 0) };
      });
    if (nodes.length === 0) ctx.addIssue({ code: 'custom', message: 'lists no host:port' });
    return nodes;
  });

/** Every setting of the contract (docs/CONTRACT.md), with the local defaults a newcomer runs on. */
const settings = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^(mysql|mariadb):\/\//, 'must be a mysql:// URL')
    .default('mysql://root@127.0.0.1:3306/ticketing'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER_NODES: redisNodes.optional(),
  /** AUTH for every cluster node, and for REDIS_URL when the URL carries no password of its own. */
  REDIS_PASSWORD: z.string().optional(),
  /** An ACL user for REDIS_PASSWORD (unset: Redis's `default` user). */
  REDIS_USERNAME: z.string().optional(),
  /** `true`: TLS to every cluster node and to REDIS_URL (a rediss:// URL uses TLS anyway). */
  REDIS_TLS: z
    .enum(['true', 'false'], { message: 'must be true or false (or unset)' })
    .transform((value) => value === 'true')
    .default(false),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _ . or -')
    .default('ticketing'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  BOARD_USER: z.string().min(1).default('admin'),
  /** Unset or empty: the board is not mounted. Set: at least 12 characters, or no process starts. */
  BOARD_PASSWORD: z.string().min(12, 'must be at least 12 characters (or unset: no Bull Board)').optional(),
  WORKER_BATCH_SIZE: positiveInt(500).pipe(z.number().max(10_000)),
  LOCK_TTL_MS: positiveInt(5000).pipe(z.number().min(100)),
  /** How long a worker keeps an empty queue's lock, waiting for more requests, before it lets go. */
  WORKER_IDLE_MS: positiveInt(2000).pipe(z.number().max(600_000)),
  /** Longest pause between a worker's looks at an empty queue (the pause doubles from 1 ms up to it). */
  WORKER_POLL_MAX_MS: positiveInt(50).pipe(z.number().max(10_000)),
  /** Backoff before a failed batch is tried again: doubles from the minimum up to the maximum. */
  WORKER_RETRY_MIN_MS: positiveInt(50).pipe(z.number().max(600_000)),
  WORKER_RETRY_MAX_MS: positiveInt(2000).pipe(z.number().max(600_000)),
  /** How often a worker lists the tickets with queued requests (and tries their locks again). */
  WORKER_SCAN_INTERVAL_MS: positiveInt(100).pipe(z.number().max(60_000)),
  /** Most tickets one worker process drains at once. */
  WORKER_MAX_TICKETS: positiveInt(256).pipe(z.number().max(100_000)),
  /**
   * Seconds an ended ticket's Redis state (jobs, answers, admissions, flags) is kept after its sale
   * ended; then the workers remove it and polls answer from MySQL. 0 removes it as soon as it ended.
   */
  RESULT_TTL_S: z.coerce.number().int().min(0).max(31_536_000).default(86_400),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Identity and limits: only the API reads these, so none is required here (see requireTokenKeys).
  AUTH_JWT_SECRET: z
    .string()
    .refine((secret) => [...secret].length >= 32, 'must be at least 32 characters')
    .optional(),
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  AUTH_AUDIENCE: z.string().min(1).default('ticketing'),
  AUTH_ISSUER: z.string().min(1).optional(),
  /** Submissions per member per minute, counted in Redis for all API processes; 0 turns it off. */
  RATE_SUBMIT_PER_MEMBER: z.coerce.number().int().min(0).max(1_000_000).default(10),
  /** Requests under /api/v1 per client address per minute; 0 (the default) turns it off. */
  RATE_PER_IP: z.coerce.number().int().min(0).max(1_000_000).default(0),
  /** Held long-polls (and event streams) per member, counted in Redis for all API processes; 0 turns it off. */
  WATCH_PER_MEMBER: z.coerce.number().int().min(0).max(10_000).default(3),
  /** Held long-polls (and event streams) per API process; past it a poll is answered at once; 0 turns it off. */
  WATCH_MAX: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  /** Express's `trust proxy`: a hop count (`1`), `true`, or addresses and names (`loopback, 10.0.0.0/8`). */
  TRUST_PROXY: z
    .string()
    .trim()
    .min(1)
    .transform((value): boolean | number | string => {
      if (value === 'true' || value === 'false') return value === 'true';
      return /^\d+$/.test(value) ? Number(value) : value;
    })
    .optional(),
});

const schema = settings.superRefine((config, ctx) => {
  if (config.REDIS_USERNAME !== undefined && config.REDIS_PASSWORD === undefined) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_USERNAME'], message: 'needs REDIS_PASSWORD' });
  }
  if (config.AUTH_JWT_SECRET && config.AUTH_JWKS_URL) {
    ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_URL'], message: 'set only one of AUTH_JWT_SECRET and AUTH_JWKS_URL, not both' });
  }
  if (config.WORKER_RETRY_MIN_MS > config.WORKER_RETRY_MAX_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['WORKER_RETRY_MAX_MS'],
      message: `must be at least WORKER_RETRY_MIN_MS (${config.WORKER_RETRY_MIN_MS})`,
    });
  }
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment once at start-up; a bad value names its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}

/**
 * The API verifies tokens and cannot start without a key; the worker and the migration CLI never
 * read one, so loadConfig leaves them optional and the API's main asks for them here.
 */
export function requireTokenKeys(config: Config): void {
  if (!config.AUTH_JWT_SECRET && !config.AUTH_JWKS_URL) {
    throw new ConfigError(
      "invalid configuration:\n  AUTH_JWT_SECRET or AUTH_JWKS_URL: one of them must be set (an HS256 secret of at least 32 characters, or the identity provider's key set)",
    );
  }
}
