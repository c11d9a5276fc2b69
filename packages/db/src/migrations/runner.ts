import { createHash, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as mariadb from 'mariadb';
import { connectionConfig, parseDatabaseUrl, redactDatabaseUrl } from '../connection.js';
import { MigrationError } from './errors.js';
import { isEmptyScript, readMigrations, type MigrationFile } from './files.js';
import { CREATE_HISTORY_TABLE, pendingMigrations, SELECT_HISTORY, type HistoryRow } from './history.js';

export { MigrationError } from './errors.js';

export interface MigrationOptions {
  /** mysql:// or mariadb:// URL naming the database, which is created when missing. */
  databaseUrl: string;
  /** Folder of `<name>/migration.sql`; defaults to the repository's prisma/migrations. */
  migrationsDir?: string;
  /** How long to wait for a concurrent run to finish; default 60 s. */
  lockTimeoutSeconds?: number;
  /** Called as each migration finishes, so a CLI can report progress before a later failure. */
  onApplied?: (migrationName: string) => void;
}

export interface MigrationReport {
  database: string;
  createdDatabase: boolean;
  /** Names of the migrations this run applied, in order; empty when the database was current. */
  applied: string[];
}

// src/migrations/ and dist/migrations/ both sit four levels below the repository root.
const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../../prisma/migrations/', import.meta.url));

/**
 * Creates the database if missing and applies the pending migrations, recording them in Prisma's
 * _prisma_migrations table. Safe to start in several processes at once: a named lock per database
 * lets one apply while the others wait, then find nothing left to do.
 */
export async function runMigrations(options: MigrationOptions): Promise<MigrationReport> {
  const address = parseDatabaseUrl(options.databaseUrl);
  const database = address.database;
  if (database === '') throw new MigrationError('the database URL names no database');
  const files = await readMigrations(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);

  let conn: mariadb.Connection;
  try {
    // Connect to the server, not the database: it may not exist yet.
    // UTC like Prisma: the history's CURRENT_TIMESTAMP(3) values are read back as UTC.
    conn = await mariadb.createConnection({
      ...connectionConfig({ ...address, database: '' }),
      timezone: '+00:00',
      multipleStatements: true,
    });
  } catch (error) {
    throw new MigrationError(`cannot connect to ${redactDatabaseUrl(options.databaseUrl)}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  try {
    const created = await conn.query<mariadb.UpsertResult>(
      `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    await conn.query(`USE ${quoteIdentifier(database)}`);
    const applied = await withLock(conn, lockName(database), options.lockTimeoutSeconds ?? 60, async () => {
      await conn.query(CREATE_HISTORY_TABLE);
      const history = await conn.query<HistoryRow[]>(SELECT_HISTORY);
      const names: string[] = [];
      for (const migration of pendingMigrations(files, history)) {
        await apply(conn, migration);
        names.push(migration.name);
        options.onApplied?.(migration.name);
      }
      return names;
    });
    return { database, createdDatabase: created.affectedRows > 0, applied };
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** Records the attempt before running it, as Prisma does, so a failure halfway stays visible. */
async function apply(conn: mariadb.Connection, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  await conn.query(
    'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, CURRENT_TIMESTAMP(3), 0)',
    [id, migration.checksum, migration.name],
  );
  try {
    if (!isEmptyScript(migration.script)) await conn.query(migration.script);
  } catch (error) {
    await conn.query('UPDATE _prisma_migrations SET logs = ? WHERE id = ?', [messageOf(error), id]);
    throw new MigrationError(`migration ${migration.name} failed: ${messageOf(error)}`, { cause: error });
  }
  await conn.query(
    'UPDATE _prisma_migrations SET finished_at = CURRENT_TIMESTAMP(3), applied_steps_count = applied_steps_count + 1 WHERE id = ?',
    [id],
  );
}

async function withLock<T>(conn: mariadb.Connection, name: string, timeoutSeconds: number, work: () => Promise<T>): Promise<T> {
  const [row] = await conn.query<Array<{ acquired: number | bigint | null }>>('SELECT GET_LOCK(?, ?) AS acquired', [name, timeoutSeconds]);
  if (row === undefined || Number(row.acquired) !== 1) {
    throw new MigrationError(`another migration run held the lock ${name} for more than ${timeoutSeconds} s`);
  }
  try {
    return await work();
  } finally {
    // Ending the connection would release it too; releasing first frees waiters at once.
    await conn.query('SELECT RELEASE_LOCK(?)', [name]).catch(() => undefined);
  }
}

/** One lock per database (names are server-wide), within the 64 characters MySQL allows. */
function lockName(database: string): string {
  const name = `ticketing_migrate:${database}`;
  return name.length <= 64 ? name : `ticketing_migrate:${createHash('sha256').update(database).digest('hex').slice(0, 40)}`;
}

function quoteIdentifier(name: string): string {
  if (name.length > 64 || name.includes('\0')) throw new MigrationError(`"${name}" is not a valid database name`);
  return `\`${name.replace(/`/g, '``')}\``;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
