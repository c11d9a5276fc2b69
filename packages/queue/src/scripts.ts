import { readFileSync } from 'node:fs';
import type { RedisClient } from './redis.js';

const luaDir = new URL('../lua/', import.meta.url);

/**
 * Each atomic step is a .lua file, read once and registered as a command (EVALSHA after the first
 * call). The number is how many of its arguments are keys; `null`: as many as the caller passes.
 */
const scripts = {
  admitBatch: 3,
  enqueueBatch: 4,
  acquireLock: 2,
  renewLock: 1,
  releaseLock: 1,
  raiseFence: 2,
  peekBatch: 2,
  completeBatch: 9,
  holdWatch: 1,
  removeState: 8,
  listLengths: null,
} as const satisfies Record<string, number | null>;

export type ScriptName = keyof typeof scripts;

const loaded = new WeakSet<RedisClient>();

function defineScripts(redis: RedisClient): void {
  if (loaded.has(redis)) return;
  for (const [name, numberOfKeys] of Object.entries(scripts)) {
    const lua = readFileSync(new URL(`${name}.lua`, luaDir), 'utf8');
    redis.defineCommand(name, numberOfKeys === null ? { lua } : { numberOfKeys, lua });
  }
  loaded.add(redis);
}

type Arg = string | number;

export function runScript<T>(redis: RedisClient, name: ScriptName, keys: string[], args: Arg[]): Promise<T> {
  defineScripts(redis);
  const command = (redis as unknown as Record<ScriptName, (...values: Arg[]) => Promise<T>>)[name];
  // A script of variable arity takes its key count first, as EVALSHA does.
  const keyCount: Arg[] = scripts[name] === null ? [keys.length] : [];
  return command.call(redis, ...keyCount, ...keys, ...args);
}
