import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '@ticketing/testkit';
import { describeDatabase, normaliseDefault, normaliseType } from './databaseSchema.js';
import { describePrismaSchema } from './prismaSchema.js';
import { diffSchemas, type SchemaDescription } from './schemaDescription.js';

describe('the migrated database matches prisma/schema.prisma', () => {
  let database: TestDatabase;
  let fromPrisma: SchemaDescription;
  let fromDatabase: SchemaDescription;

  beforeAll(async () => {
    database = await createTestDatabase();
    [fromPrisma, fromDatabase] = await Promise.all([describePrismaSchema(), describeDatabase(database.url)]);
  });
  afterAll(async () => {
    await database?.drop();
  });

  test('both sides describe the same three tables', () => {
    expect(Object.keys(fromPrisma).sort()).toEqual(['member', 'member_ticket', 'ticket']);
    expect(Object.keys(fromDatabase).sort()).toEqual(['member', 'member_ticket', 'ticket']);
  });

  test('tables, columns, types, nullability, defaults, keys, indexes and foreign keys agree', () => {
    expect(diffSchemas(fromPrisma, fromDatabase)).toEqual([]);
  });

  test('the descriptions are detailed enough to matter', () => {
    // Guards the comparison itself: a description that lost its detail would compare equal too.
    expect(fromDatabase.ticket?.columns.fencing_token).toEqual({ type: 'bigint', nullable: false, default: '0' });
    expect(fromDatabase.ticket?.columns.close_at).toEqual({ type: 'datetime(3)', nullable: true, default: null });
    expect(fromDatabase.member?.columns.id).toEqual({ type: 'int', nullable: false, default: 'autoincrement' });
    expect(fromDatabase.member_ticket?.primaryKey).toEqual(['id']);
    expect(fromDatabase.member_ticket?.indexes).toEqual([
      'index(member_id)',
      'unique(request_id)',
      'unique(ticket_id,issue_number)',
      'unique(ticket_id,member_id)',
    ]);
    expect(fromDatabase.member_ticket?.foreignKeys).toEqual([
      '(member_id) -> member(id) ON DELETE RESTRICT ON UPDATE RESTRICT',
      '(ticket_id) -> ticket(id) ON DELETE RESTRICT ON UPDATE RESTRICT',
    ]);
  });
});

describe('diffSchemas', () => {
  let base: SchemaDescription;
  beforeAll(async () => {
    base = await describePrismaSchema();
  });
  const altered = (change: (copy: SchemaDescription) => void): SchemaDescription => {
    const copy = structuredClone(base);
    change(copy);
    return copy;
  };

  test('finds nothing between a description and itself', () => {
    expect(diffSchemas(base, structuredClone(base))).toEqual([]);
  });

  test('finds a column on one side only, whichever side', () => {
    const withExtra = altered((copy) => {
      copy.member!.columns.nickname = { type: 'varchar(100)', nullable: true, default: null };
    });
    expect(diffSchemas(base, withExtra)).toEqual(['column member.nickname: in the database only']);
    expect(diffSchemas(withExtra, base)).toEqual(['column member.nickname: in schema.prisma only']);
  });

  test('finds a table on one side only', () => {
    const withTable = altered((copy) => {
      copy.audit = { columns: {}, primaryKey: [], indexes: [], foreignKeys: [] };
    });
    expect(diffSchemas(base, withTable)).toEqual(['table audit: in the database only']);
  });

  test('finds a changed type, nullability or default', () => {
    const changed = altered((copy) => {
      const columns = copy.ticket!.columns;
      columns.name = { ...columns.name!, type: 'varchar(191)' };
      columns.close_at = { ...columns.close_at!, nullable: false };
      columns.issued_quantity = { ...columns.issued_quantity!, default: null };
    });
    expect(diffSchemas(base, changed)).toEqual([
      'column ticket.close_at: nullable is true in schema.prisma, false in the database',
      'column ticket.issued_quantity: default is 0 in schema.prisma, null in the database',
      'column ticket.name: type is varchar(100) in schema.prisma, varchar(191) in the database',
    ]);
  });

  test('finds a missing unique index, a changed primary key and a changed foreign key', () => {
    const changed = altered((copy) => {
      const table = copy.member_ticket!;
      table.indexes = table.indexes.filter((index) => index !== 'unique(ticket_id,member_id)');
      table.primaryKey = ['ticket_id', 'id'];
      table.foreignKeys = table.foreignKeys.map((key) => key.replace('ON DELETE RESTRICT', 'ON DELETE CASCADE'));
    });
    expect(diffSchemas(base, changed)).toEqual(
      expect.arrayContaining([
        'table member_ticket: index unique(ticket_id,member_id): in schema.prisma only',
        'table member_ticket: primary key (id) in schema.prisma, (ticket_id,id) in the database',
        'table member_ticket: foreign key (member_id) -> member(id) ON DELETE CASCADE ON UPDATE RESTRICT: in the database only',
      ]),
    );
  });
});

describe('information_schema normalisation', () => {
  test('treats MariaDB and MySQL 8 spellings alike', () => {
    expect(normaliseType('int(11)')).toBe('int');
    expect(normaliseType('INT')).toBe('int');
    expect(normaliseType('int(10) unsigned')).toBe('int unsigned');
    expect(normaliseType('bigint(20)')).toBe('bigint');
    expect(normaliseType('tinyint(1)')).toBe('tinyint(1)');
    expect(normaliseDefault('current_timestamp(3)', '')).toBe('now');
    expect(normaliseDefault('CURRENT_TIMESTAMP(3)', 'DEFAULT_GENERATED')).toBe('now');
    expect(normaliseDefault('NULL', '')).toBeNull();
    expect(normaliseDefault(null, '')).toBeNull();
    expect(normaliseDefault("'abc'", '')).toBe('abc');
    expect(normaliseDefault(null, 'auto_increment')).toBe('autoincrement');
  });
});
