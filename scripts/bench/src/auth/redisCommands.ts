import { PrivateRedis } from '@ticketing/testkit';
import { accept } from '../accept.js';
import { openRedis, type BenchContext } from '../context.js';
import { type AuthVariant, variantSetup } from './variants.js';

export interface RedisCommands {
  submissions: number;
  accepted: number;
  /**
   * Commands Redis ran per 202, as INFO commandstats counts them: a script call (EVALSHA) counts
   * once and so does every command the script runs.
   */
  commandsPerAccepted: number;
  /** Script calls per 202 (EVALSHA, EVAL): each is one command on the wire, whatever it does inside. */
  scriptsPerAccepted: number;
  /**
   * Reads of client sockets Redis made per 202 (INFO stats total_reads_processed): how many times it
   * found commands waiting, so about the round trips, fewer where several commands arrive together.
   */
  readsPerAccepted: number;
  /** Per 202, by command as INFO commandstats names it (evalsha, sadd, and those scripts run). */
  byCommand: Record<string, number>;
}

/** `cmdstat_evalsha:calls=12,usec=...` lines of INFO commandstats, as calls per command. */
function commandCalls(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1]!, Number(match[2]));
  return calls;
}

/** `total_reads_processed:123` of INFO stats. */
function readsProcessed(info: string): number {
  const match = /^total_reads_processed:(\d+)/m.exec(info);
  if (!match) throw new Error('INFO stats has no total_reads_processed (Redis 6 or later has it)');
  return Number(match[1]);
}

// Our own INFO and CONFIG RESETSTAT, not the API's.
const OURS = new Set(['info', 'config|resetstat']);
const SCRIPT_CALLS = new Set(['evalsha', 'eval', 'evalsha_ro', 'eval_ro', 'fcall', 'fcall_ro']);

/**
 * Redis commands per accepted submission of each variant, counted by Redis itself (INFO
 * commandstats, reset after the warm-up). On a redis-server of its own: the shared one also
 * serves other clients, whose commands would count. Submissions and members as in accept.
 */
export async function redisCommands(
  ctx: BenchContext,
  variants: readonly AuthVariant[],
  submissions: number,
): Promise<Record<string, RedisCommands>> {
  const redis = await PrivateRedis.start('none');
  const client = openRedis(redis.url);
  const own: BenchContext = { ...ctx, redisUrl: redis.url, systemEnv: { ...ctx.systemEnv, REDIS_URL: redis.url } };
  const out: Record<string, RedisCommands> = {};
  try {
    for (const variant of variants) {
      let calls = new Map<string, number>();
      let reads = 0;
      const run = await accept(
        own,
        submissions,
        { ...variantSetup(variant).process, role: `api ${variant}, counted` },
        {
          beforeMeasured: async () => {
            await client.config('RESETSTAT');
            reads = readsProcessed(await client.info('stats'));
          },
          afterMeasured: async () => {
            calls = commandCalls(await client.info('commandstats'));
            reads = readsProcessed(await client.info('stats')) - reads;
          },
        },
      );
      const accepted = Math.max(1, run.accepted);
      const byCommand: Record<string, number> = {};
      let commands = 0;
      let scripts = 0;
      const per = (count: number) => Math.round((count / accepted) * 1000) / 1000;
      for (const [command, count] of calls) {
        if (OURS.has(command)) continue;
        byCommand[command] = per(count);
        commands += count;
        if (SCRIPT_CALLS.has(command)) scripts += count;
      }
      out[variant] = {
        submissions: run.submissions,
        accepted: run.accepted,
        commandsPerAccepted: per(commands),
        scriptsPerAccepted: per(scripts),
        readsPerAccepted: per(reads),
        byCommand,
      };
    }
  } finally {
    client.disconnect();
    await redis.destroy();
  }
  return out;
}
