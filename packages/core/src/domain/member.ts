export interface Member {
  id: number;
  name: string;
  createdAt: Date;
}

export interface MemberTicket {
  id: number;
  ticketId: number;
  memberId: number;
  issueNumber: number;
  requestId: string;
  issuedAt: Date;
  usedAt: Date | null;
}

/** A member_ticket row as decideBatch decides it, before the database stores it: what a batch commits. */
export type NewMemberTicket = Pick<MemberTicket, 'requestId' | 'memberId' | 'issueNumber'>;
