import * as mariadb from 'mariadb';
import { connectionConfig, parseDatabaseUrl } from '../src/connection.js';
import { foreignKeyKey, indexKey, type SchemaDescription } from './schemaDescription.js';

interface ColumnRow {
  TABLE_NAME: string;
  COLUMN_NAME: string;
  COLUMN_TYPE: string;
  IS_NULLABLE: 'YES' | 'NO';
  COLUMN_DEFAULT: string | null;
  EXTRA: string;
}
interface IndexRow {
  TABLE_NAME: string;
  INDEX_NAME: string;
  NON_UNIQUE: number | bigint | string;
  COLUMN_NAME: string;
}
interface ForeignKeyRow {
  TABLE_NAME: string;
  CONSTRAINT_NAME: string;
  COLUMN_NAME: string;
  REFERENCED_TABLE_NAME: string;
  REFERENCED_COLUMN_NAME: string;
  DELETE_RULE: string;
  UPDATE_RULE: string;
}

/** The migrated tables as information_schema shows them, except Prisma's own history table. */
export async function describeDatabase(databaseUrl: string): Promise<SchemaDescription> {
  const address = parseDatabaseUrl(databaseUrl);
  const conn = await mariadb.createConnection(connectionConfig(address));
  try {
    const schema = [address.database];
    const columns = await conn.query<ColumnRow[]>(
      `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      schema,
    );
    const indexes = await conn.query<IndexRow[]>(
      `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS
       WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
      schema,
    );
    const foreignKeys = await conn.query<ForeignKeyRow[]>(
      `SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME,
              r.DELETE_RULE, r.UPDATE_RULE
       FROM information_schema.KEY_COLUMN_USAGE k
       JOIN information_schema.REFERENTIAL_CONSTRAINTS r
         ON r.CONSTRAINT_SCHEMA = k.TABLE_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
       WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL
       ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
      schema,
    );
    return assemble(columns, indexes, foreignKeys);
  } finally {
    await conn.end();
  }
}

function assemble(columns: ColumnRow[], indexes: IndexRow[], foreignKeys: ForeignKeyRow[]): SchemaDescription {
  const description: SchemaDescription = {};
  const table = (name: string) => (description[name] ??= { columns: {}, primaryKey: [], indexes: [], foreignKeys: [] });
  const isOurs = (name: string) => name !== '_prisma_migrations';

  for (const row of columns.filter((row) => isOurs(row.TABLE_NAME))) {
    table(row.TABLE_NAME).columns[row.COLUMN_NAME] = {
      type: normaliseType(row.COLUMN_TYPE),
      nullable: row.IS_NULLABLE === 'YES',
      default: normaliseDefault(row.COLUMN_DEFAULT, row.EXTRA),
    };
  }
  for (const [key, rows] of groupBy(
    indexes.filter((row) => isOurs(row.TABLE_NAME)),
    (row) => `${row.TABLE_NAME}.${row.INDEX_NAME}`,
  )) {
    const first = rows[0]!;
    const names = rows.map((row) => row.COLUMN_NAME);
    if (key.endsWith('.PRIMARY')) table(first.TABLE_NAME).primaryKey = names;
    else table(first.TABLE_NAME).indexes.push(indexKey(Number(first.NON_UNIQUE) === 0, names));
  }
  for (const [, rows] of groupBy(
    foreignKeys.filter((row) => isOurs(row.TABLE_NAME)),
    (row) => `${row.TABLE_NAME}.${row.CONSTRAINT_NAME}`,
  )) {
    const first = rows[0]!;
    table(first.TABLE_NAME).foreignKeys.push(
      foreignKeyKey(
        rows.map((row) => row.COLUMN_NAME),
        first.REFERENCED_TABLE_NAME,
        rows.map((row) => row.REFERENCED_COLUMN_NAME),
        first.DELETE_RULE,
        first.UPDATE_RULE,
      ),
    );
  }
  for (const entry of Object.values(description)) {
    entry.indexes = [...new Set(entry.indexes)].sort();
    entry.foreignKeys.sort();
  }
  return description;
}

/** MariaDB and MySQL 5.7 print integer display widths (int(11)); MySQL 8 does not, except tinyint(1). */
export function normaliseType(columnType: string): string {
  const type = columnType.toLowerCase().trim();
  if (type.startsWith('tinyint(1)')) return type;
  return type.replace(/^(tinyint|smallint|mediumint|int|bigint)\(\d+\)/, '$1');
}

/** MariaDB quotes literal defaults and writes NULL for "no default"; MySQL 8 does neither. */
export function normaliseDefault(columnDefault: string | null, extra: string): string | null {
  if (/auto_increment/i.test(extra)) return 'autoincrement';
  if (columnDefault === null || columnDefault === 'NULL') return null;
  if (/^current_timestamp(\(\d*\))?$/i.test(columnDefault)) return 'now';
  return columnDefault.replace(/^'(.*)'$/, '$1');
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row)) ?? [];
    group.push(row);
    groups.set(key(row), group);
  }
  return groups;
}
