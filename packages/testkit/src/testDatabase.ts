import { createConnection, type Connection } from 'mariadb';
import { runMigrations } from '@ticketing/db';
import { connectionOptions, dropTestDatabase, TEST_DATABASE_SERVER_URL, testDatabaseUrl, uniqueDatabaseName } from './databaseUrl.js';
import type { IssueRow, TicketRow } from './ledgerEntry.js';

/**
 * One database, read and written directly: the truth the guarantees are checked against, and bulk
 * member creation (thousands of POST /members would only slow set-up down). A connection per
 * call, because the database may have been away in between.
 */
export class TestDatabase {
  readonly name: string;

  constructor(readonly url: string) {
    this.name = decodeURIComponent(new URL(url).pathname.slice(1));
  }

  async #with<T>(work: (conn: Connection) => Promise<T>): Promise<T> {
    const conn = await createConnection({ ...connectionOptions(this.url), connectTimeout: 5000 });
    try {
      return await work(conn);
    } finally {
      await conn.end().catch(() => undefined);
    }
  }

  /** Creates members `<tag>-0` .. `<tag>-(count-1)`; their ids in that order. */
  async insertMembers(tag: string, count: number): Promise<number[]> {
    return this.#with(async (conn) => {
      for (let start = 0; start < count; start += 1000) {
        const names = Array.from({ length: Math.min(1000, count - start) }, (_, i) => `${tag}-${start + i}`);
        await conn.query(`INSERT INTO member (name) VALUES ${names.map(() => '(?)').join(',')}`, names);
      }
      const rows = await conn.query<Array<{ id: number; name: string }>>('SELECT id, name FROM member WHERE name LIKE ?', [`${tag}-%`]);
      const ids = new Map(rows.map((row) => [row.name, Number(row.id)]));
      return Array.from({ length: count }, (_, n) => ids.get(`${tag}-${n}`)!);
    });
  }

  /** The ticket's member_ticket rows. */
  async issueRows(ticketId: number): Promise<IssueRow[]> {
    return this.#with(async (conn) => {
      const rows = await conn.query<IssueRow[]>(
        'SELECT id, member_id AS memberId, issue_number AS issueNumber, request_id AS requestId FROM member_ticket WHERE ticket_id = ?',
        [ticketId],
      );
      return rows.map((row) => ({
        id: Number(row.id),
        memberId: Number(row.memberId),
        issueNumber: Number(row.issueNumber),
        requestId: row.requestId,
      }));
    });
  }

  async ticket(ticketId: number): Promise<TicketRow> {
    return this.#with(async (conn) => {
      const [row] = await conn.query<Array<Record<string, unknown>>>(
        'SELECT total_quantity AS totalQuantity, issued_quantity AS issuedQuantity, fencing_token AS fencingToken, generation FROM ticket WHERE id = ?',
        [ticketId],
      );
      if (!row) throw new Error(`ticket ${ticketId} is not in the database`);
      return {
        totalQuantity: Number(row.totalQuantity),
        issuedQuantity: Number(row.issuedQuantity),
        fencingToken: Number(row.fencingToken),
        generation: String(row.generation),
      };
    });
  }

  /** Drops the database (its server must be up). */
  async drop(): Promise<void> {
    await dropTestDatabase(this.name, this.url);
  }
}

/**
 * A fresh, migrated database `<tag>_<pid>_<random>` on the server. Fails loudly when the server
 * is unreachable: a test that needs MariaDB must never pass by skipping.
 */
export async function createTestDatabase(options: { serverUrl?: string; tag?: string } = {}): Promise<TestDatabase> {
  const serverUrl = options.serverUrl ?? TEST_DATABASE_SERVER_URL;
  const name = uniqueDatabaseName(options.tag);
  const url = testDatabaseUrl(name, serverUrl);
  try {
    await runMigrations({ databaseUrl: url });
  } catch (error) {
    throw new Error(
      `cannot prepare test database ${name} on ${serverUrl} (is MariaDB running? ` +
        `set TEST_DATABASE_SERVER_URL): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return new TestDatabase(url);
}
