import { z } from 'zod';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const redisNodes = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const nodes = value.split(',').map((entry) => entry.trim()).filter(Boolean).map((entry) => {
      const match = /^([^:\s]+):(\d{1,5})$/.exec(entry);
      if (!match) ctx.addIssue({ code: 'custom', message: `"${entry}" is not host:port` });
      return { host: match?.[1] ?? '', port: Number(match?.[2] ?? 0) };
    });
    if (nodes.length === 0) ctx.addIssue({ code: 'custom', message: 'lists no host:port' });
    return nodes;
  });

/** Every setting of the contract (docs/CONTRACT.md), with the local defaults a newcomer runs on. */
const schema = z.object({
  DATABASE_URL: z.string().regex(/^(mysql|mariadb):\/\//, 'must be a mysql:// URL').default('mysql://root@127.0.0.1:3306/ticketing'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER_NODES: redisNodes.optional(),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _ . or -').default('ticketing'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  BOARD_USER: z.string().min(1).default('admin'),
  BOARD_PASSWORD: z.string().optional(),
  WORKER_BATCH_SIZE: positiveInt(500).pipe(z.number().max(10_000)),
  LOCK_TTL_MS: positiveInt(5000).pipe(z.number().min(100)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
