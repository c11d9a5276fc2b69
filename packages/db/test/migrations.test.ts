import { afterEach, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigrationError, runMigrations } from '../src/migrations/runner.js';
import { migrateCommand } from '../src/migrations/command.js';
import { pendingMigrations, type HistoryRow } from '../src/migrations/history.js';
import { dropTestDatabase, onTestServer, testDatabaseUrl, uniqueDatabaseName } from '@ticketing/testkit';

const REPO_MIGRATIONS = fileURLToPath(new URL('../../../prisma/migrations/', import.meta.url));
const INIT = '20261125000000_init';
/** Every migration of the repository, in the order they apply. */
const REPOSITORY = [INIT, '20261204000000_ticket_generation', '20261204010000_ticket_state_removed_at'];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A database name that does not exist yet, dropped after the test. */
function freshDatabase(): { name: string; url: string } {
  const name = uniqueDatabaseName();
  cleanups.push(() => dropTestDatabase(name));
  return { name, url: testDatabaseUrl(name) };
}

/** A migrations folder of our own, so a test can add, break and edit migrations. */
async function migrationsFolder(migrations: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  for (const [name, sql] of Object.entries(migrations)) await writeMigration(dir, name, sql);
  return dir;
}

async function writeMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(join(dir, name), { recursive: true });
  await writeFile(join(dir, name, 'migration.sql'), sql);
}

async function inDatabase<T>(database: string, sql: string, values?: unknown[]): Promise<T> {
  return onTestServer<T>(sql.replaceAll('{db}', `\`${database}\``), values);
}

async function history(database: string): Promise<Array<Record<string, unknown>>> {
  return inDatabase(database, 'SELECT * FROM {db}._prisma_migrations ORDER BY migration_name');
}

// Each migration fails if applied twice: the second CREATE TABLE or primary-key INSERT errors.
const THREE = {
  '001_create_a': 'CREATE TABLE a (id INT PRIMARY KEY);\nINSERT INTO a VALUES (1);\n',
  '002_slow_insert': '-- slow, so concurrent runs overlap\nDO SLEEP(0.3);\nINSERT INTO a VALUES (2);\n',
  '003_create_b': 'CREATE TABLE b (id INT PRIMARY KEY);\n',
};

describe('runMigrations', () => {
  test('creates a missing database (utf8mb4) and applies the repository migrations', async () => {
    const { name, url } = freshDatabase();
    const before = await onTestServer<unknown[]>('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
    expect(before).toHaveLength(0);

    const applied: string[] = [];
    const report = await runMigrations({ databaseUrl: url, onApplied: (migration) => applied.push(migration) });

    expect(report).toEqual({ database: name, createdDatabase: true, applied: REPOSITORY });
    expect(applied).toEqual(REPOSITORY);
    const [schema] = await onTestServer<Array<Record<string, string>>>(
      'SELECT DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [name],
    );
    expect(schema).toEqual({ charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' });
    const tables = await onTestServer<Array<{ name: string }>>(
      'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
      [name],
    );
    expect(tables.map((table) => table.name).sort()).toEqual(['_prisma_migrations', 'member', 'member_ticket', 'ticket']);
  });

  test('a second run applies nothing', async () => {
    const { name, url } = freshDatabase();
    await runMigrations({ databaseUrl: url });
    const report = await runMigrations({ databaseUrl: url });
    expect(report).toEqual({ database: name, createdDatabase: false, applied: [] });
    expect(await history(name)).toHaveLength(REPOSITORY.length);
  });

  test('tickets that existed before the generation column each get their own random generation', async () => {
    const { name, url } = freshDatabase();
    const sql = async (migration: string) => readFile(join(REPO_MIGRATIONS, migration, 'migration.sql'), 'utf8');
    const migrationsDir = await migrationsFolder({ [INIT]: await sql(INIT) });
    await runMigrations({ databaseUrl: url, migrationsDir });
    await inDatabase(name, "INSERT INTO {db}.ticket (name, total_quantity, open_at) VALUES ('a', 1, NOW(3)), ('b', 1, NOW(3))");
    await writeMigration(migrationsDir, REPOSITORY[1]!, await sql(REPOSITORY[1]!));
    await runMigrations({ databaseUrl: url, migrationsDir });

    const rows = await inDatabase<Array<{ generation: string }>>(name, 'SELECT generation FROM {db}.ticket');
    expect(rows.map((row) => row.generation)).toEqual([expect.stringMatching(/^[0-9a-f]{40}$/), expect.stringMatching(/^[0-9a-f]{40}$/)]);
    expect(rows[0]!.generation).not.toBe(rows[1]!.generation);
  });

  test('concurrent runs apply each migration exactly once', async () => {
    const { name, url } = freshDatabase();
    const migrationsDir = await migrationsFolder(THREE);

    // Separate connections, like separate processes: the named lock is what keeps them apart.
    const reports = await Promise.all(Array.from({ length: 4 }, () => runMigrations({ databaseUrl: url, migrationsDir })));

    expect(reports.flatMap((report) => report.applied).sort()).toEqual(Object.keys(THREE));
    expect(reports.filter((report) => report.createdDatabase)).toHaveLength(1);
    const rows = await history(name);
    expect(rows.map((row) => row.migration_name)).toEqual(Object.keys(THREE));
    expect(rows.every((row) => row.finished_at !== null && row.applied_steps_count === 1)).toBe(true);
    expect(await inDatabase(name, 'SELECT id FROM {db}.a ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  test('applies only the migrations added since the last run, in name order', async () => {
    const { url } = freshDatabase();
    const migrationsDir = await migrationsFolder({ '001_create_a': THREE['001_create_a'] });
    await runMigrations({ databaseUrl: url, migrationsDir });
    await writeMigration(migrationsDir, '003_create_b', THREE['003_create_b']);
    await writeMigration(migrationsDir, '002_slow_insert', THREE['002_slow_insert']);

    const report = await runMigrations({ databaseUrl: url, migrationsDir });
    expect(report.applied).toEqual(['002_slow_insert', '003_create_b']);
  });

  test('refuses a migration whose file changed after it was applied, naming it, and applies nothing', async () => {
    const { name, url } = freshDatabase();
    const migrationsDir = await migrationsFolder({ '001_create_a': THREE['001_create_a'] });
    await runMigrations({ databaseUrl: url, migrationsDir });
    await writeMigration(migrationsDir, '001_create_a', 'CREATE TABLE a (id BIGINT PRIMARY KEY);\n');
    await writeMigration(migrationsDir, '003_create_b', THREE['003_create_b']);

    const run = runMigrations({ databaseUrl: url, migrationsDir });
    await expect(run).rejects.toThrow(MigrationError);
    await expect(run).rejects.toThrow(/migration 001_create_a was changed after it was applied/);
    expect(await history(name)).toHaveLength(1);
  });

  test('a change of line endings alone is not a change', async () => {
    const { url } = freshDatabase();
    const migrationsDir = await migrationsFolder({ '001_create_a': THREE['001_create_a'] });
    await runMigrations({ databaseUrl: url, migrationsDir });
    await writeMigration(migrationsDir, '001_create_a', THREE['001_create_a'].replaceAll('\n', '\r\n'));
    await expect(runMigrations({ databaseUrl: url, migrationsDir })).resolves.toMatchObject({ applied: [] });
  });

  test('records a failed migration with its error, stops there, and refuses to go on until it is resolved', async () => {
    const { name, url } = freshDatabase();
    const migrationsDir = await migrationsFolder({
      '001_create_a': THREE['001_create_a'],
      '002_broken': 'INSERT INTO missing_table VALUES (1);\n',
      '003_create_b': THREE['003_create_b'],
    });

    const applied: string[] = [];
    const first = runMigrations({ databaseUrl: url, migrationsDir, onApplied: (migration) => applied.push(migration) });
    await expect(first).rejects.toThrow(/migration 002_broken failed: .*missing_table/);
    expect(applied).toEqual(['001_create_a']);
    const failed = (await history(name)).find((row) => row.migration_name === '002_broken');
    expect(failed).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
    expect(String(failed?.logs)).toMatch(/missing_table/);

    await expect(runMigrations({ databaseUrl: url, migrationsDir })).rejects.toThrow(/migration 002_broken failed in an earlier run/);

    // What `prisma migrate resolve --rolled-back` does; then a fixed migration applies.
    await inDatabase(name, "UPDATE {db}._prisma_migrations SET rolled_back_at = NOW(3) WHERE migration_name = '002_broken'");
    await writeMigration(migrationsDir, '002_broken', 'INSERT INTO a VALUES (2);\n');
    await expect(runMigrations({ databaseUrl: url, migrationsDir })).resolves.toMatchObject({
      applied: ['002_broken', '003_create_b'],
    });
  });

  test('records each migration in _prisma_migrations as Prisma does', async () => {
    const { name, url } = freshDatabase();
    await runMigrations({ databaseUrl: url });

    const columns = await onTestServer<Array<Record<string, string>>>(
      `SELECT COLUMN_NAME AS name, DATA_TYPE AS type, CHARACTER_MAXIMUM_LENGTH AS length, IS_NULLABLE AS nullable, COLUMN_KEY AS \`key\`
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = '_prisma_migrations' ORDER BY ORDINAL_POSITION`,
      [name],
    );
    expect(
      columns.map(({ name: column, type, length, nullable, key }) => [
        column,
        type,
        length === null ? null : Number(length),
        nullable,
        key,
      ]),
    ).toEqual([
      ['id', 'varchar', 36, 'NO', 'PRI'],
      ['checksum', 'varchar', 64, 'NO', ''],
      ['finished_at', 'datetime', null, 'YES', ''],
      ['migration_name', 'varchar', 255, 'NO', ''],
      ['logs', 'text', 65535, 'YES', ''],
      ['rolled_back_at', 'datetime', null, 'YES', ''],
      ['started_at', 'datetime', null, 'NO', ''],
      ['applied_steps_count', 'int', null, 'NO', ''],
    ]);

    const [row] = await history(name);
    const file = await readFile(join(REPO_MIGRATIONS, INIT, 'migration.sql'));
    expect(row).toMatchObject({
      migration_name: INIT,
      checksum: createHash('sha256').update(file).digest('hex'),
      logs: null,
      rolled_back_at: null,
      applied_steps_count: 1,
    });
    expect(row?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const startedAt = row?.started_at as Date;
    const finishedAt = row?.finished_at as Date;
    expect(finishedAt.getTime()).toBeGreaterThanOrEqual(startedAt.getTime());
    // Written in UTC, as Prisma writes it, whatever the server's time zone.
    expect(Math.abs(startedAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  test('refuses a URL that names no database, and a missing migrations folder', async () => {
    await expect(runMigrations({ databaseUrl: 'mysql://root@127.0.0.1:3306' })).rejects.toThrow(/names no database/);
    const { url } = freshDatabase();
    await expect(runMigrations({ databaseUrl: url, migrationsDir: join(tmpdir(), 'no-such-migrations') })).rejects.toThrow(
      /cannot read the migrations folder/,
    );
  });
});

describe('pendingMigrations', () => {
  const file = (name: string, script = `-- ${name}\n`) => ({
    name,
    script,
    checksum: createHash('sha256').update(script).digest('hex'),
  });
  const row = (name: string, overrides: Partial<HistoryRow> = {}): HistoryRow => ({
    migration_name: name,
    checksum: file(name).checksum,
    finished_at: new Date(),
    rolled_back_at: null,
    logs: null,
    ...overrides,
  });

  test('skips applied migrations and ignores rolled-back attempts and unknown history rows', () => {
    const files = [file('001'), file('002'), file('003')];
    const history = [row('001'), row('002', { rolled_back_at: new Date(), finished_at: null }), row('000_from_a_newer_release')];
    expect(pendingMigrations(files, history).map((migration) => migration.name)).toEqual(['002', '003']);
  });
});

describe('the migrate command', () => {
  test('prints one line per applied migration and answers 0, then says there is nothing to do', async () => {
    const { url } = freshDatabase();
    const out: string[] = [];
    const err: string[] = [];
    const output = { out: (line: string) => out.push(line), err: (line: string) => err.push(line) };

    expect(await migrateCommand({ DATABASE_URL: url }, output)).toBe(0);
    expect(out).toEqual(REPOSITORY.map((migration) => `applied ${migration}`));
    expect(await migrateCommand({ DATABASE_URL: url }, output)).toBe(0);
    expect(out[REPOSITORY.length]).toMatch(/^no pending migrations in mysql:\/\//);
    expect(err).toEqual([]);
  });

  test('answers 1 with a clear message, without the password, when the server is unreachable or the URL is bad', async () => {
    const err: string[] = [];
    const output = { out: () => undefined, err: (line: string) => err.push(line) };

    expect(await migrateCommand({ DATABASE_URL: 'mysql://root:s3cret@127.0.0.1:1/ticketing' }, output)).toBe(1);
    expect(err[0]).toMatch(/^migrate failed: cannot connect to mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/ticketing/);
    expect(err[0]).not.toContain('s3cret');

    expect(await migrateCommand({ DATABASE_URL: 'postgres://x/y' }, output)).toBe(1);
    expect(err[1]).toMatch(/DATABASE_URL/);
  });
});
