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
