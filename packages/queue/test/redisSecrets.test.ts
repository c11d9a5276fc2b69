import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Cluster } from 'ioredis';
import { createRedis, createSubscriber, pingRedis, redisReady, type RedisClient, type RedisSettings } from '@ticketing/queue';
import { LocalRedisCluster, PrivateRedis } from '@ticketing/testkit';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * createRedis against Redis servers of our own that need a password, and one that speaks only
 * TLS (certificates from a throwaway CA made with openssl): the app's client reaches them, runs
 * a Lua script and pub/sub through createSubscriber (a duplicate, which must keep the secrets);
 * a wrong password is refused at once instead of hanging.
 */
const PASSWORD = 'redis-secret-for-tests';
let dir: string;
let withPassword: PrivateRedis;
let withTls: PrivateRedis;
let ca: Buffer;
const opened: RedisClient[] = [];

const run = promisify(execFile);

/** A CA and a server certificate for 127.0.0.1 signed by it, valid for a day. */
async function makeCertificates(into: string): Promise<{ certFile: string; keyFile: string; caFile: string }> {
  const at = (name: string) => join(into, name);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.crt'),
    '-days',
    '1',
    '-subj',
    '/CN=ticketing test CA',
  ]);
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ]);
  await writeFile(at('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.crt'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-out',
    at('server.crt'),
    '-days',
    '1',
    '-extfile',
    at('san.ext'),
  ]);
  return { certFile: at('server.crt'), keyFile: at('server.key'), caFile: at('ca.crt') };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'redis-secrets-'));
  const tls = await makeCertificates(dir);
  ca = await readFile(tls.caFile);
  withPassword = await PrivateRedis.start('none', { password: PASSWORD });
  withTls = await PrivateRedis.start('none', { password: PASSWORD, tls });
}, 60_000);

afterAll(async () => {
  for (const client of opened) if (client.status !== 'end') client.disconnect();
  // A client refused by the server (wrong password, unknown CA) has lost its socket already, and
  // ioredis's disconnect() then keeps a timer for its disconnectTimeout (2 s) waiting for a close
  // that has happened: let those run out here rather than past the end of the run.
  await new Promise((resolve) => setTimeout(resolve, 2100));
  await withPassword?.destroy();
  await withTls?.destroy();
  await rm(dir, { recursive: true, force: true });
});

function open(settings: RedisSettings): RedisClient {
  const client = createRedis(settings, 'redis-secrets-test');
  client.on('error', () => undefined);
  opened.push(client);
  return client;
}

/** A Lua script and a message through a subscriber duplicated from the client. */
async function scriptAndPubSub(client: RedisClient): Promise<void> {
  await redisReady(client, 5000);
  expect(await client.eval("return redis.call('SET', KEYS[1], ARGV[1]) and redis.call('GET', KEYS[1])", 1, 'secrets:probe', 'sealed')).toBe(
    'sealed',
  );
  const subscriber = createSubscriber(client);
  subscriber.on('error', () => undefined);
  opened.push(subscriber);
  const received = new Promise<string>((resolve) => subscriber.on('message', (_channel: string, message: string) => resolve(message)));
  await subscriber.subscribe('secrets:channel');
  await client.publish('secrets:channel', 'decided');
  expect(await received).toBe('decided');
}

describe('createRedis with a password', () => {
  test('from the settings, when REDIS_URL carries none', async () => {
    await scriptAndPubSub(open({ redisUrl: withPassword.url, password: PASSWORD }));
  });

  test('from REDIS_URL itself, which wins over the settings', async () => {
    const url = `redis://:${PASSWORD}@127.0.0.1:${withPassword.port}`;
    await scriptAndPubSub(open({ redisUrl: url, password: 'not-this-one' }));
    await scriptAndPubSub(open({ redisUrl: `redis://default:${PASSWORD}@127.0.0.1:${withPassword.port}` }));
  });

  test('a wrong or missing password is refused within a second, not left hanging', async () => {
    for (const settings of [{ redisUrl: withPassword.url, password: 'wrong' }, { redisUrl: withPassword.url }]) {
      const client = open(settings);
      const failed = new Promise<string>((resolve) => client.once('error', (error: Error) => resolve(error.message)));
      const startedAt = Date.now();
      expect(await pingRedis(client, 1000)).toBe(false);
      expect(await failed).toMatch(/WRONGPASS|NOAUTH/);
      expect(Date.now() - startedAt).toBeLessThan(1500);
      client.disconnect();
    }
  });
});

describe('createRedis with TLS', () => {
  test('a rediss:// URL, trusting the CA, with the password from the settings', async () => {
    await scriptAndPubSub(open({ redisUrl: withTls.url, password: PASSWORD, tls: { ca } }));
  });

  test('REDIS_TLS turns TLS on for a redis:// URL', async () => {
    await scriptAndPubSub(open({ redisUrl: `redis://127.0.0.1:${withTls.port}`, password: PASSWORD, tls: { ca } }));
  });

  test('a certificate from an unknown CA is refused', async () => {
    const client = open({ redisUrl: withTls.url, password: PASSWORD, tls: {} });
    const failed = new Promise<string>((resolve) => client.once('error', (error: Error) => resolve(error.message)));
    expect(await pingRedis(client, 1000)).toBe(false);
    expect(await failed).toMatch(/certificate/i);
    client.disconnect();
  });
});

describe('createRedis for a cluster', () => {
  let cluster: LocalRedisCluster;

  beforeAll(async () => {
    cluster = await LocalRedisCluster.start({ dir: join(dir, 'cluster'), masters: 3, replicasPerMaster: 0, password: PASSWORD });
  }, 60_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  const seeds = () => cluster.nodes.map(({ port }) => ({ host: '127.0.0.1', port }));

  test('gives the subscriber’s nodes the password, user and TLS options too', () => {
    const client = open({ redisUrl: 'redis://unused', clusterNodes: seeds(), username: 'app', password: PASSWORD, tls: { ca } });
    const subscriber = createSubscriber(client);
    subscriber.on('error', () => undefined);
    opened.push(subscriber);
    for (const each of [client, subscriber] as Cluster[]) {
      expect(each.options.redisOptions).toMatchObject({ username: 'app', password: PASSWORD, tls: { ca } });
      each.disconnect();
    }
  });

  test('without the password no command is served, and the client says why', async () => {
    const client = open({ redisUrl: 'redis://unused', clusterNodes: seeds() });
    const failed = new Promise<Error>((resolve) => client.once('error', resolve));
    const startedAt = Date.now();
    expect(await pingRedis(client, 1000)).toBe(false);
    expect(Date.now() - startedAt).toBeLessThan(1500);
    const error = (await failed) as Error & { lastNodeError?: Error };
    expect(`${error.message} ${error.lastNodeError?.message ?? ''}`).toMatch(/NOAUTH|WRONGPASS/);
    client.disconnect();
  });

  test('REDIS_PASSWORD reaches every node: scripts on keys of every master, and pub/sub', async () => {
    const client = open({ redisUrl: 'redis://unused', clusterNodes: seeds(), password: PASSWORD });
    expect(client).toBeInstanceOf(Cluster);
    await scriptAndPubSub(client);
    // Keys whose slots lie on different masters, so every node is asked with the password.
    const masters = new Set<number>();
    for (let n = 0; masters.size < 3 && n < 100; n++) {
      const key = `secrets:{${n}}`;
      expect(await client.eval('return redis.call("INCR", KEYS[1])', 1, key)).toBe(1);
      masters.add(await cluster.masterOf(key));
    }
    expect(masters.size).toBe(3);
  });
});
