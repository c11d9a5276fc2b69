import type { BatchCommit, BatchMembers, CommitResult, MemberTicket, StoredDrainState, TicketStore } from '../../src/index.js';
import { Faults } from './faults.js';

/** The generation fake tickets get unless a test gives one: its epoch is TEST_EPOCH. */
export const TEST_GENERATION = `0badcafe${'0'.repeat(32)}`;
export const TEST_EPOCH = '0badcafe';

type Row = Pick<MemberTicket, 'id' | 'ticketId' | 'memberId' | 'issueNumber' | 'requestId'>;

/**
 * The drain side of the ticket store in memory, with the database's rules: the commit is refused
 * as STALE when issued_quantity moved or a newer fencing token committed, or when a row would
 * break a UNIQUE key; a row for a member that does not exist fails like a foreign key.
 */
export class FakeTicketStore implements Pick<TicketStore, 'loadDrainState' | 'readBatchMembers' | 'commitBatch'> {
  readonly faults = new Faults<'loadDrainState' | 'readBatchMembers' | 'commitBatch'>();
  /** Every commit asked for, with its answer. */
  readonly commits: Array<{ commit: BatchCommit; kind: CommitResult['kind'] }> = [];
  readonly #tickets = new Map<number, StoredDrainState>();
  readonly #members = new Set<number>();
  readonly #rows: Row[] = [];

  addTicket(ticketId: number, ticket: Partial<StoredDrainState> & Pick<StoredDrainState, 'totalQuantity'>): void {
    this.#tickets.set(ticketId, { issuedQuantity: 0, closeAt: null, fencingToken: 0, generation: TEST_GENERATION, ...ticket });
  }

  addMembers(...memberIds: number[]): void {
    for (const memberId of memberIds) this.#members.add(memberId);
  }

  ticket(ticketId: number): StoredDrainState | undefined {
    const ticket = this.#tickets.get(ticketId);
    return ticket && { ...ticket };
  }

  rows(ticketId: number): Row[] {
    return this.#rows.filter((row) => row.ticketId === ticketId).sort((a, b) => a.issueNumber - b.issueNumber);
  }

  /** Another holder's commit landing first: the next numbers go to these members. */
  commitElsewhere(ticketId: number, fencingToken: number, memberIds: readonly number[]): void {
    const ticket = this.#tickets.get(ticketId)!;
    const result = this.#commit({
      ticketId,
      fencingToken,
      expectedIssuedQuantity: ticket.issuedQuantity,
      issues: memberIds.map((memberId, index) => ({
        requestId: `elsewhere-${memberId}`,
        memberId,
        issueNumber: ticket.issuedQuantity + index + 1,
      })),
    });
    if (result.kind !== 'COMMITTED') throw new Error('commitElsewhere was refused');
  }

  async loadDrainState(ticketId: number): Promise<StoredDrainState | null> {
    await this.faults.before('loadDrainState');
    return this.ticket(ticketId) ?? null;
  }

  async readBatchMembers(ticketId: number, memberIds: readonly number[]): Promise<BatchMembers> {
    await this.faults.before('readBatchMembers');
    const distinct = [...new Set(memberIds)];
    const committed = this.rows(ticketId)
      .filter((row) => distinct.includes(row.memberId))
      .map(({ id, memberId, issueNumber }) => ({ id, memberId, issueNumber }));
    return { committed, missingMemberIds: distinct.filter((memberId) => !this.#members.has(memberId)) };
  }

  async commitBatch(commit: BatchCommit): Promise<CommitResult> {
    await this.faults.before('commitBatch');
    const result = this.#commit(commit);
    this.commits.push({ commit, kind: result.kind });
    return result;
  }

  #commit({ ticketId, fencingToken, expectedIssuedQuantity, issues }: BatchCommit): CommitResult {
    const ticket = this.#tickets.get(ticketId);
    if (!ticket || ticket.issuedQuantity !== expectedIssuedQuantity || ticket.fencingToken > fencingToken) return { kind: 'STALE' };
    for (const issue of issues) if (!this.#members.has(issue.memberId)) throw new Error(`foreign key: no member ${issue.memberId}`);
    const clash = issues.some((issue) =>
      this.#rows.some(
        (row) =>
          row.requestId === issue.requestId ||
          (row.ticketId === ticketId && (row.memberId === issue.memberId || row.issueNumber === issue.issueNumber)),
      ),
    );
    if (clash) return { kind: 'STALE' };
    // Row ids far from issue numbers, so a test cannot mistake one for the other.
    const added = issues.map((issue, index) => ({ id: 1001 + this.#rows.length + index, ticketId, ...issue }));
    this.#rows.push(...added);
    this.#tickets.set(ticketId, { ...ticket, issuedQuantity: expectedIssuedQuantity + issues.length, fencingToken });
    return { kind: 'COMMITTED', issues: added.map(({ id, memberId, issueNumber }) => ({ id, memberId, issueNumber })) };
  }
}
