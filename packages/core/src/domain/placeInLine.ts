/**
 * What the queue knows of a pending request's place (G11): its sequence number in the ticket's
 * line, given when it entered the queue (0 for the first, in queue order), and the line's
 * progress as the workers last reported it.
 */
export interface LineReading extends LineProgress {
  sequence: number;
}

/** A ticket's line as its drainer reports it after each batch. */
export interface LineProgress {
  /** Requests of the ticket the workers have decided (and taken off the queue) so far. */
  decided: number;
  /** The ticket's recent decisions per second; null when no worker reported one lately. */
  decidedPerSecond: number | null;
}

/** A ticket's line in full: what entered it, and of what left it, how it was decided. */
export interface LineTotals extends LineProgress {
  admitted: number;
  issued: number;
  rejected: number;
  failed: number;
}

export interface PlaceInLine {
  /** Requests ahead of this one: 0 when it is next. */
  position: number;
  /** How long until it is decided at the recent pace; null when there is no recent pace. */
  estimatedWaitMs: number | null;
}

/**
 * Requests leave the line in sequence order and `decided` only grows, so the position of a
 * request only falls, whichever process reads it and whichever worker decides: a holder that
 * loses its lock and a successor that decides the batch again count each request once, when it
 * leaves the queue.
 */
export function positionInLine(sequence: number, decided: number): number {
  return Math.max(0, sequence - decided);
}

/** The request is decided when it and everyone ahead are: position + 1 decisions at the recent pace. */
export function estimatedWaitMs(position: number, decidedPerSecond: number | null): number | null {
  if (decidedPerSecond === null || !(decidedPerSecond > 0)) return null;
  return Math.round(((position + 1) / decidedPerSecond) * 1000);
}

export function placeInLine(reading: LineReading): PlaceInLine {
  const position = positionInLine(reading.sequence, reading.decided);
  return { position, estimatedWaitMs: estimatedWaitMs(position, reading.decidedPerSecond) };
}
