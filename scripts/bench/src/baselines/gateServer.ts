import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { gateKeys } from './redisGateKeys.js';

/**
 * Baseline (d) as a synchronous endpoint: POST {memberId} → 200 with the gate script's answer at
 * once (ISSUED with its number, SOLD_OUT, or ALREADY_ASKED). No database on this path: the row is
 * written later by gateConsumer, which is what lets these projects answer fast.
 */
const ticketId = Number(process.env.TICKET_ID);
const stock = Number(process.env.STOCK);
const keys = gateKeys(process.env.QUEUE_PREFIX!, ticketId);
const redis = new Redis(process.env.REDIS_URL!);
redis.defineCommand('gate', {
  numberOfKeys: 3,
  lua: readFileSync(new URL('../../lua/redisGate.lua', import.meta.url), 'utf8'),
});
const gate = (memberId: number): Promise<number> =>
  (redis as unknown as { gate(...args: Array<string | number>): Promise<number> }).gate(
    keys.members,
    keys.issued,
    keys.grants,
    memberId,
    stock,
  );

function answer(result: number): object {
  if (result > 0) return { status: 'ISSUED', issueNumber: result };
  return { status: result === 0 ? 'SOLD_OUT' : 'ALREADY_ASKED' };
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    void (async () => {
      try {
        const { memberId } = JSON.parse(Buffer.concat(chunks).toString()) as { memberId: number };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(await gate(memberId))));
      } catch (error) {
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
      }
    })();
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  server.close();
  void redis.quit().then(() => process.exit(0));
});
