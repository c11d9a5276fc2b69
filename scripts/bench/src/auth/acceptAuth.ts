import { accept, type AcceptResult } from '../accept.js';
import type { BenchContext } from '../context.js';
import { medianOf } from '../stats.js';
import { jwtCost, type JwtCost } from './jwtCost.js';
import { accessProbe, type Probed } from './probe.js';
import { redisCommands, type RedisCommands } from './redisCommands.js';
import { AUTH_VARIANTS, type AuthVariant, variantSetup } from './variants.js';

export interface AcceptAuthResult {
  rounds: number;
  /** Median of the rounds, per variant. */
  variants: Record<AuthVariant, AcceptResult>;
  /** Every run, in the order of the rounds. */
  runs: Record<AuthVariant, AcceptResult[]>;
  /** The on variant's RateLimit-Policy: the limits in force by default. */
  policy: string;
  jwt: JwtCost;
  redis: Record<string, RedisCommands>;
}

const ROLES: Record<AuthVariant, string> = { on: 'api', limitsOff: 'api limitsOff', off: 'api off' };

/**
 * The accept scenario with authentication and limits on (the product's defaults) and off, in
 * rounds: each round runs every variant once, in a rotated order, so that the machine's drift (2
 * cores shared with other work) falls on all of them alike. Then the JWT verification cost by
 * itself, and the Redis commands per submission of each variant on a Redis of their own.
 */
export async function acceptAuth(
  ctx: BenchContext,
  sizes: { repeats: number; accept: number; jwtTokens: number; countedSubmissions: number },
  log: (line: string) => void,
): Promise<AcceptAuthResult> {
  const jwt = await jwtCost({ tokens: sizes.jwtTokens, rounds: 5 });
  log(`jwt verification: ${JSON.stringify(jwt)}`);
  const runs = { on: [], limitsOff: [], off: [] } as Record<AuthVariant, AcceptResult[]>;
  const probed: Probed = { policy: '' };
  let policy = '';
  for (let round = 0; round < sizes.repeats; round++) {
    const order = AUTH_VARIANTS.map((_, n) => AUTH_VARIANTS[(n + round) % AUTH_VARIANTS.length]!);
    for (const variant of order) {
      const setup = variantSetup(variant);
      const run = await accept(
        ctx,
        sizes.accept,
        { ...setup.process, role: ROLES[variant] },
        { afterMeasured: accessProbe(setup, probed) },
      );
      if (variant === 'on') policy = probed.policy;
      log(`accept ${variant} #${round + 1}: ${JSON.stringify(run)}`);
      runs[variant].push(run);
    }
  }
  const medianRun = (variant: AuthVariant): AcceptResult => medianOf(runs[variant] as (AcceptResult & Record<string, unknown>)[]);
  const variants = { on: medianRun('on'), limitsOff: medianRun('limitsOff'), off: medianRun('off') };
  const redis = await redisCommands(ctx, AUTH_VARIANTS, sizes.countedSubmissions);
  log(`redis commands per accepted submission: ${JSON.stringify(redis)}`);
  return { rounds: sizes.repeats, variants, runs, policy, jwt, redis };
}
