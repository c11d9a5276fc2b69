import { randomBytes } from 'node:crypto';
import { createConnection, type ConnectionConfig } from 'mariadb';
import { parseDatabaseUrl } from '@ticketing/db';

/** The MariaDB/MySQL server tests create their databases on; no database in the path. */
export const TEST_DATABASE_SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'mysql://root@127.0.0.1:3306';

/** A database name no other suite, process or run uses: `<tag>_<pid>_<random>`. */
export function uniqueDatabaseName(tag = 'ticketing_test'): string {
  return `${tag}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** The URL of database `name` on the server of `serverUrl` (whatever database that one names). */
export function testDatabaseUrl(name: string, serverUrl = TEST_DATABASE_SERVER_URL): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The mariadb driver's settings for a mysql:// URL (root when it names no user). */
export function connectionOptions(url: string): ConnectionConfig {
  const { host, port, user, password, database, driverOptions } = parseDatabaseUrl(url);
  return {
    ...driverOptions,
    host,
    port,
    user: user ?? 'root',
    ...(password === undefined ? {} : { password }),
    ...(database === '' ? {} : { database }),
    timezone: '+00:00', // DATETIME values are UTC throughout, whatever this process's zone
  };
}

/** Runs one statement on the server of `serverUrl`, no database selected. Throws when it is unreachable. */
export async function onTestServer<T>(sql: string, values?: unknown[], serverUrl = TEST_DATABASE_SERVER_URL): Promise<T> {
  const { database: _database, ...server } = connectionOptions(serverUrl);
  const conn = await createConnection({ ...server, connectTimeout: 5000 });
  try {
    return (await conn.query(sql, values)) as T;
  } finally {
    await conn.end();
  }
}

export async function dropTestDatabase(name: string, serverUrl = TEST_DATABASE_SERVER_URL): Promise<void> {
  await onTestServer(`DROP DATABASE IF EXISTS \`${name}\``, undefined, serverUrl);
}
