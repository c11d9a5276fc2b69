import type { DrainState } from '../domain/decideBatch.js';
import type { Result } from '../domain/errors.js';
import type { Member, MemberTicket, NewMemberTicket } from '../domain/member.js';
import type { Ticket } from '../domain/ticket.js';

export interface Page<T> {
  items: T[];
  page: number;
  size: number;
  total: number;
}

export interface PageRequest {
  /** 1-based. */
  page: number;
  size: number;
}

export interface NewTicket {
  name: string;
  totalQuantity: number;
  openAt: Date;
  closeAt: Date | null;
}

/** The drainer's view of its ticket plus the fencing token of the last commit. */
export interface StoredDrainState extends DrainState {
  fencingToken: number;
  /** The row's generation: a queue of another row with the same id must not be decided from this one. */
  generation: string;
}

/** What the database knows about the members of a batch. */
export interface BatchMembers {
  /** Their rows for this ticket, in issue-number order (the row id is what an ISSUED answer carries). */
  committed: Pick<MemberTicket, 'id' | 'memberId' | 'issueNumber'>[];
  /** Members that do not exist (the API admits unverified members while the database is away). */
  missingMemberIds: number[];
}

export interface BatchCommit {
  ticketId: number;
  /** The committing lock holder's token; the commit is refused when a newer one has committed. */
  fencingToken: number;
  /** issuedQuantity the decisions were made from; the commit is refused when it has moved. */
  expectedIssuedQuantity: number;
  /** Numbered expectedIssuedQuantity + 1, + 2, … without a gap, as decideBatch numbers them. */
  issues: readonly NewMemberTicket[];
  /** The rows' issued_at (epoch ms): the decision's time, which the queue's answers carry too. Now when left out. */
  issuedAt?: number;
}

export type CommitResult =
  | { kind: 'COMMITTED'; issues: Pick<MemberTicket, 'id' | 'memberId' | 'issueNumber'>[] }
  /** Nothing was written: the lock was taken over, or this holder's view of the ticket is old. */
  | { kind: 'STALE' };

export interface TicketStore {
  createTicket(ticket: NewTicket): Promise<Result<Ticket>>;
  findTicket(ticketId: number): Promise<Ticket | null>;
  findTicketByName(name: string): Promise<Ticket | null>;
  listTickets(page: PageRequest): Promise<Page<Ticket>>;
  deleteTicket(ticketId: number): Promise<Result<void>>;
  listIssues(ticketId: number, page: PageRequest): Promise<Page<MemberTicket>>;
  findIssueByRequestId(requestId: string): Promise<MemberTicket | null>;
  /** The member's issued ticket of this ticket, if any (asking again after the Redis state is gone). */
  findIssueOfMember(ticketId: number, memberId: number): Promise<MemberTicket | null>;
  /** Records that this row's Redis state was removed (nothing when the row is another generation). */
  markStateRemoved(ticketId: number, generation: string, at: Date): Promise<void>;

  loadDrainState(ticketId: number): Promise<StoredDrainState | null>;
  readBatchMembers(ticketId: number, memberIds: readonly number[]): Promise<BatchMembers>;
  /** One transaction: the guarded ticket update and the batch's member_ticket rows. */
  commitBatch(commit: BatchCommit): Promise<CommitResult>;
}

export interface MemberStore {
  createMember(name: string): Promise<Result<Member>>;
  findMember(memberId: number): Promise<Member | null>;
  findMemberByName(name: string): Promise<Member | null>;
  listMembers(page: PageRequest): Promise<Page<Member>>;
  memberExists(memberId: number): Promise<boolean>;
  /** Which of these members exist: one query for many, for the submission hot path. */
  existingMemberIds(memberIds: readonly number[]): Promise<number[]>;
  listMemberTickets(memberId: number): Promise<MemberTicket[]>;
  useTicket(memberId: number, ticketId: number, at: Date): Promise<Result<MemberTicket>>;
}
