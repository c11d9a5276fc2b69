// Two descriptions of the same tables, one read from schema.prisma and one from the migrated
// database, normalised to one vocabulary so the schema test can compare them field for field.

export interface ColumnDescription {
  /** Normalised SQL type: int, bigint, varchar(100), datetime(3), int unsigned… */
  type: string;
  nullable: boolean;
  /** autoincrement, now, a literal, or null when the column has no database default. */
  default: string | null;
}

export interface TableDescription {
  columns: Record<string, ColumnDescription>;
  primaryKey: string[];
  /** `unique(a,b)` or `index(a)`, sorted: indexes compared by kind and column list. */
  indexes: string[];
  /** `(a) -> t(b) ON DELETE x ON UPDATE y`, sorted. */
  foreignKeys: string[];
}

export type SchemaDescription = Record<string, TableDescription>;

/** Every difference, as a readable line; empty when the two descriptions agree. */
export function diffSchemas(prisma: SchemaDescription, database: SchemaDescription): string[] {
  const differences: string[] = [];
  for (const table of union(Object.keys(prisma), Object.keys(database))) {
    const expected = prisma[table];
    const actual = database[table];
    if (expected === undefined) differences.push(`table ${table}: in the database only`);
    else if (actual === undefined) differences.push(`table ${table}: in schema.prisma only`);
    else differences.push(...diffTables(table, expected, actual));
  }
  return differences;
}

function diffTables(table: string, prisma: TableDescription, database: TableDescription): string[] {
  const differences: string[] = [];
  for (const column of union(Object.keys(prisma.columns), Object.keys(database.columns))) {
    const expected = prisma.columns[column];
    const actual = database.columns[column];
    if (expected === undefined) differences.push(`column ${table}.${column}: in the database only`);
    else if (actual === undefined) differences.push(`column ${table}.${column}: in schema.prisma only`);
    else {
      for (const key of ['type', 'nullable', 'default'] as const) {
        if (expected[key] !== actual[key]) {
          differences.push(
            `column ${table}.${column}: ${key} is ${String(expected[key])} in schema.prisma, ${String(actual[key])} in the database`,
          );
        }
      }
    }
  }
  if (prisma.primaryKey.join(',') !== database.primaryKey.join(',')) {
    differences.push(
      `table ${table}: primary key (${prisma.primaryKey.join(',')}) in schema.prisma, (${database.primaryKey.join(',')}) in the database`,
    );
  }
  differences.push(...diffLists(`table ${table}: index`, prisma.indexes, database.indexes));
  differences.push(...diffLists(`table ${table}: foreign key`, prisma.foreignKeys, database.foreignKeys));
  return differences;
}

function diffLists(label: string, prisma: readonly string[], database: readonly string[]): string[] {
  return [
    ...prisma.filter((entry) => !database.includes(entry)).map((entry) => `${label} ${entry}: in schema.prisma only`),
    ...database.filter((entry) => !prisma.includes(entry)).map((entry) => `${label} ${entry}: in the database only`),
  ];
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

export function indexKey(unique: boolean, columns: readonly string[]): string {
  return `${unique ? 'unique' : 'index'}(${columns.join(',')})`;
}

export function foreignKeyKey(
  columns: readonly string[],
  table: string,
  referenced: readonly string[],
  onDelete: string,
  onUpdate: string,
): string {
  return `(${columns.join(',')}) -> ${table}(${referenced.join(',')}) ON DELETE ${onDelete} ON UPDATE ${onUpdate}`;
}
