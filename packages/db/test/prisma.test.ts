import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '@ticketing/testkit';
import { parseDatabaseUrl } from '../src/connection.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { createPrisma, pingDatabase } from '../src/prisma.js';

describe('parseDatabaseUrl', () => {
  test('reads mysql:// and mariadb:// URLs, decoding credentials, with port 3306 by default', () => {
    expect(parseDatabaseUrl('mysql://root@127.0.0.1/ticketing')).toEqual({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      password: undefined,
      database: 'ticketing',
      driverOptions: {},
    });
    expect(parseDatabaseUrl('mariadb://app:p%40ss%2Fword@db.internal:3307/tix?ssl=true&connectTimeout=2000&charset=utf8mb4')).toEqual({
      host: 'db.internal',
      port: 3307,
      user: 'app',
      password: 'p@ss/word',
      database: 'tix',
      driverOptions: { ssl: true, connectTimeout: 2000, charset: 'utf8mb4' },
    });
    expect(parseDatabaseUrl('mysql://root@[::1]:3306').host).toBe('::1');
    expect(parseDatabaseUrl('mysql://root@127.0.0.1:3306').database).toBe('');
  });

  test('refuses other schemes and non-URLs without repeating the password', () => {
    expect(() => parseDatabaseUrl('postgres://u:secret@h/db')).toThrow(/mysql:\/\/ or mariadb:\/\//);
    expect(() => parseDatabaseUrl('not a url secret')).toThrow(/not a URL/);
    try {
      parseDatabaseUrl('postgres://u:secret@h/db');
    } catch (error) {
      expect(String(error)).not.toContain('secret');
    }
  });
});

describe('createPrisma and pingDatabase', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = createPrisma(database.url);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  test('the client reaches the migrated database, with DATETIME values in UTC', async () => {
    const at = new Date('2026-06-15T12:34:56.789Z');
    const member = await prisma.member.create({ data: { name: 'utc', createdAt: at } });
    const [row] = await prisma.$queryRaw<
      Array<{ text: string }>
    >`SELECT CAST(created_at AS CHAR) AS text FROM member WHERE id = ${member.id}`;
    expect(row?.text).toBe('2026-06-15 12:34:56.789');
    // Server-side defaults are UTC too, so they agree with the client's clock.
    await prisma.$executeRaw`INSERT INTO member (name) VALUES ('server-default')`;
    const byServer = await prisma.member.findUniqueOrThrow({ where: { name: 'server-default' } });
    expect(Math.abs(byServer.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  test('pingDatabase answers true for a reachable database', async () => {
    expect(await pingDatabase(prisma, 1000)).toBe(true);
  });

  test('pingDatabase answers false, within its timeout, for an unreachable one', async () => {
    // The URL's driver option shortens the pool's wait, so disconnecting does not wait 3 s.
    const unreachable = createPrisma('mysql://root@127.0.0.1:1/ticketing?acquireTimeout=300');
    try {
      const started = Date.now();
      expect(await pingDatabase(unreachable, 300)).toBe(false);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await unreachable.$disconnect().catch(() => undefined);
    }
  });

  test('createPrisma refuses a URL that names no database', () => {
    expect(() => createPrisma('mysql://root@127.0.0.1:3306')).toThrow(/names no database/);
  });
});
