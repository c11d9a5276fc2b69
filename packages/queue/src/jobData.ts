import type { QueuedRequest } from '@ticketing/core';

/** What a request's BullMQ job holds as its data (the job id is the requestId). */
export interface JobData {
  ticketId: number;
  memberId: number;
  acceptedAt: number;
}

/** The request a job's data describes, or null when the data is missing or malformed. */
export function parseJobData(requestId: string, data: string | null | undefined): QueuedRequest | null {
  if (!data) return null;
  try {
    const { ticketId, memberId, acceptedAt } = JSON.parse(data) as JobData;
    if (![ticketId, memberId, acceptedAt].every(Number.isSafeInteger)) return null;
    return { requestId, ticketId, memberId, acceptedAt };
  } catch {
    return null;
  }
}
