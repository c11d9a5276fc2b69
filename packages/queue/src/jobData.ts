import type { QueuedRequest } from '@ticketing/core';

/** What a request's BullMQ job holds as its data (the job id is the requestId). */
export interface JobData {
  ticketId: number;
  memberId: number;
  acceptedAt: number;
  /**
   * The request's sequence number in the ticket's line (G11), given by enqueueBatch.lua: how many
   * requests of the ticket were accepted before it. Its position is this minus the line's decided count.
   */
  acceptedBefore?: number;
  /** Its position when it was accepted (what its 202 said); for a reader of Bull Board, never read by the code. */
  positionAtAcceptance?: number;
  /** acceptedBefore's name in jobs enqueued before it was renamed (still read, so their places survive an upgrade). */
  sequence?: number;
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

/** The sequence number a job's data carries, or null (malformed, or a job from before sequences). */
export function jobSequence(data: string | null | undefined): number | null {
  if (!data) return null;
  try {
    const { acceptedBefore, sequence: earlierName } = JSON.parse(data) as JobData;
    const sequence = acceptedBefore ?? earlierName;
    return Number.isSafeInteger(sequence) && sequence! >= 0 ? sequence! : null;
  } catch {
    return null;
  }
}

/** The job data enqueueBatch.lua completes with the places in line: everything but them, without the closing brace. */
export function openJobData({ ticketId, memberId, acceptedAt }: Pick<JobData, 'ticketId' | 'memberId' | 'acceptedAt'>): string {
  return `{"ticketId":${ticketId},"memberId":${memberId},"acceptedAt":${acceptedAt}`;
}
