import type { ConnectionConfig } from 'mariadb';

/** What a DATABASE_URL (mysql:// or mariadb://) says, split into the driver's settings. */
export interface DatabaseAddress {
  host: string;
  port: number;
  user: string | undefined;
  password: string | undefined;
  /** Empty when the URL names only the server. */
  database: string;
  /** Query parameters, handed to the mariadb driver as options (`?ssl=true&connectTimeout=2000`). */
  driverOptions: Record<string, string | number | boolean>;
}

const DEFAULT_PORT = 3306;

/** Parses a mysql:// or mariadb:// URL. The error never repeats the URL, which may hold a password. */
export function parseDatabaseUrl(databaseUrl: string): DatabaseAddress {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('the database URL is not a URL: expected mysql://user:password@host:port/database');
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new Error(`the database URL must start with mysql:// or mariadb://, not ${url.protocol}//`);
  }
  if (url.hostname === '') throw new Error('the database URL names no host');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database.includes('/')) throw new Error('the database URL path must be a single database name');

  const driverOptions: DatabaseAddress['driverOptions'] = {};
  for (const [key, value] of url.searchParams) driverOptions[key] = optionValue(value);
  return {
    // WHATWG URL keeps IPv6 brackets; the driver wants the bare address.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? DEFAULT_PORT : Number(url.port),
    user: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    database,
    driverOptions,
  };
}

function optionValue(value: string): string | number | boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** The URL with its password masked, for messages and logs. */
export function redactDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

/**
 * Driver settings for a connection to `address`. foundRows is fixed whatever the URL says: an
 * UPDATE reports the rows it matched, not only those it changed, so a guarded update that
 * rewrites equal values still counts as done.
 * No session time zone is set, on purpose: the Prisma adapter writes and reads DATETIME values as
 * UTC strings and the stores write every timestamp themselves (no CURRENT_TIMESTAMP defaults are
 * relied on), so the session's zone never matters, and a connection then needs no set-up
 * statement, whose failure the driver leaves as a rejection nobody handles.
 */
export function connectionConfig(address: DatabaseAddress): ConnectionConfig {
  return {
    ...address.driverOptions,
    host: address.host,
    port: address.port,
    user: address.user,
    password: address.password,
    database: address.database === '' ? undefined : address.database,
    foundRows: true,
  };
}
