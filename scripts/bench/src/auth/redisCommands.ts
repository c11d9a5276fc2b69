import { PrivateRedis } from '@ticketing/testkit';
import { accept } from '../accept.js';
import { openRedis, type BenchContext } from '../context.js';
import { type AuthVariant, variantSetup } from './variants.js';

export interface RedisCommands {
  /** The measured submissions; some may be answered 503 under load once queued anyway, so figures are per submission. */
  submissions: number;
  accepted: number;
  /**
   * Commands Redis ran per submission, as INFO commandstats counts them: a script call (EVALSHA)
   * counts once and so does every command the script runs.
   */
  commandsPerSubmission: number;
  /** Script calls per submission (EVALSHA, EVAL): each is one command on the wire, whatever it does inside. */
  scriptsPerSubmission: number;
  /**
   * Reads of client sockets Redis made per submission (INFO stats total_reads_processed): how many
   * times it found commands waiting, so about the round trips, fewer where several arrive together.
   */
  readsPerSubmission: number;
  /** Per submission, by command as INFO commandstats names it (evalsha, sadd, and those scripts run). */
  byCommand: Record<string, number>;
  /** The raw counts of the measured submissions. */
  calls: Record<string, number>;
  reads: number;
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
      const per = (count: number) => Math.round((count / Math.max(1, run.submissions)) * 1000) / 1000;
      const ownCalls = Object.fromEntries([...calls].filter(([command]) => !OURS.has(command)));
      const sum = (filter: (command: string) => boolean) =>
        Object.entries(ownCalls).reduce((total, [command, count]) => total + (filter(command) ? count : 0), 0);
      out[variant] = {
        submissions: run.submissions,
        accepted: run.accepted,
        commandsPerSubmission: per(sum(() => true)),
        scriptsPerSubmission: per(sum((command) => SCRIPT_CALLS.has(command))),
        readsPerSubmission: per(reads),
        byCommand: Object.fromEntries(Object.entries(ownCalls).map(([command, count]) => [command, per(count)])),
        calls: ownCalls,
        reads,
      };
    }
  } finally {
    client.disconnect();
    await redis.destroy();
  }
  return out;
}
