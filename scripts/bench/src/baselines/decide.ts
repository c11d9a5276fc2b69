import type { Pool } from 'mariadb';

export type Decision = { status: 'ISSUED'; issueNumber: number } | { status: 'SOLD_OUT' };

/**
 * The per-request transaction the lock-based designs run: read the ticket row (optionally
 * `FOR UPDATE`), answer a member who already has it, refuse past the stock, else count one more
 * and insert the member_ticket row. One request, one transaction.
 */
export async function decideOne(pool: Pool, ticketId: number, memberId: number, forUpdate: boolean): Promise<Decision> {
  const connection = await pool.getConnection();
  try {
    await connection.beginTransaction();
    try {
      const [ticket] = (await connection.query(
        `SELECT total_quantity AS total, issued_quantity AS issued FROM ticket WHERE id = ?${forUpdate ? ' FOR UPDATE' : ''}`,
        [ticketId],
      )) as Array<{ total: number; issued: number }>;
      if (!ticket) throw new Error(`ticket ${ticketId} missing`);
      const [mine] = (await connection.query(
        'SELECT issue_number AS issueNumber FROM member_ticket WHERE ticket_id = ? AND member_id = ?',
        [ticketId, memberId],
      )) as Array<{ issueNumber: number }>;
      let decision: Decision;
      if (mine) decision = { status: 'ISSUED', issueNumber: mine.issueNumber };
      else if (ticket.issued >= ticket.total) decision = { status: 'SOLD_OUT' };
      else {
        const issueNumber = ticket.issued + 1;
        await connection.query('UPDATE ticket SET issued_quantity = ? WHERE id = ?', [issueNumber, ticketId]);
        await connection.query('INSERT INTO member_ticket (ticket_id, member_id, issue_number, request_id) VALUES (?, ?, ?, ?)', [
          ticketId,
          memberId,
          issueNumber,
          `baseline-${ticketId}-${memberId}`,
        ]);
        decision = { status: 'ISSUED', issueNumber };
      }
      await connection.commit();
      return decision;
    } catch (error) {
      await connection.rollback().catch(() => undefined);
      throw error;
    }
  } finally {
    await connection.release();
  }
}
